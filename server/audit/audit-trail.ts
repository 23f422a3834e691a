// The audit trail as the server runs it: the buffer writing AuditEvents straight to the store as the
// server itself (not through the pipeline, so that writing the audit is not audited), the hook that
// records every interaction, the authorization server's sink, and the write rule that keeps AuditEvents
// unchanged (always on, whether the server audits or not). See docs/audit.md.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { AuthEventSink } from '../auth/auth-events';
import type { ServerConfig } from '../config';
import type { Pipeline } from '../fhir/pipeline/pipeline';
import type { PreparedAuditEvent, TransactionalOperations } from '../store/port';
import { AuditBuffer, type AuditBufferOptions } from './audit-buffer';
import { auditWorkerWriter } from './audit-worker-writer';
import { auditHook } from './audit-hook';
import { auditWriteRule } from './audit-write-rule';
import { authEvent } from './events-auth';
import { auditEventsOf, type AuditRecord } from './audit-record';
import { auditEventOf } from './prepared-event';

export interface AuditTrail {
  buffer: AuditBuffer;
  logger: Logger;
  /** Writes every event recorded so far (tests wait on it). */
  flush(): Promise<void>;
  /** Writes what is left and stops (shutdown, before the store closes). */
  close(): Promise<void>;
}

/**
 * Writes a batch in one store transaction: all of it, or none (and the buffer retries). Each event keeps
 * its own id, so that writing a batch again (its commit was not acknowledged) changes nothing: the
 * store's batch append where it has one, an update per event otherwise.
 */
export function storeWriter(store: TransactionalOperations): (records: readonly (AuditRecord | PreparedAuditEvent)[]) => Promise<void> {
  return (records) => {
    // An interaction's facts become its events here, on the thread that writes them.
    const events = auditEventsOf<AuditEvent | PreparedAuditEvent>(records);
    return store.transaction(async (tx) => {
      if (tx.appendAuditEvents) {
        await tx.appendAuditEvents(events);
        return;
      }
      for (const event of events) {
        await tx.update(auditEventOf(event));
      }
    });
  };
}

/** The trail writing to `store` on this thread; the buffer's timing is configurable for tests. */
export function openAuditTrail(store: TransactionalOperations, logger: Logger, options: Partial<AuditBufferOptions> = {}): AuditTrail {
  const buffer = new AuditBuffer(storeWriter(store), logger, options);
  return { buffer, logger, flush: () => buffer.flush(), close: () => buffer.close() };
}

/**
 * The buffer's timing on the server: every 250 ms, or at once when 500 events wait. Each commit to an
 * SQLite file empties the page cache of every other connection at its next read (a WAL reader drops its
 * cache when the WAL has changed), so the read threads read their b-trees again from the OS after every
 * audit batch. At 1M resources a walk's page cost up to 4 times as much cold as warm; batches of 100
 * emptied the caches every few searches at one client. 500 events hold the write lock for about 30-50 ms
 * of the writer's work (docs/performance.md, "Fewer audit commits").
 */
export const serverAuditBufferOptions: Partial<AuditBufferOptions> = { flushMs: 250, batchSize: 500 };

/**
 * The server's trail: on a store another connection can open (an SQLite file, MongoDB) the events are
 * written by a thread of their own (audit-worker.ts), in batches of `serverAuditBufferOptions`; an
 * in-memory store is written on this thread.
 */
export function serverAuditTrail(config: Pick<ServerConfig, 'store' | 'sqliteFile'>, store: TransactionalOperations, logger: Logger): AuditTrail {
  if (config.store === 'sqlite' && config.sqliteFile === ':memory:') {
    return openAuditTrail(store, logger);
  }
  const writer = auditWorkerWriter(logger);
  const buffer = new AuditBuffer(writer.write, logger, serverAuditBufferOptions);
  return {
    buffer,
    logger,
    flush: () => buffer.flush(),
    close: async () => {
      await buffer.close();
      await writer.close();
    },
  };
}

/** The pipeline with auditing added: the hook last (it sees every other hook's refusal), the write rule always. */
export function withAudit(pipeline: Partial<Pipeline>, trail: AuditTrail | undefined, baseUrl: string): Partial<Pipeline> {
  return {
    ...pipeline,
    hooks: [...(pipeline.hooks ?? []), ...(trail ? [auditHook(trail.buffer, baseUrl, trail.logger)] : [])],
    writeRules: [...(pipeline.writeRules ?? []), auditWriteRule(baseUrl)],
  };
}

/** The authorization server's sink of sign-ins, tokens and refused bearer tokens; undefined without a trail. */
export function authEventSink(trail: AuditTrail | undefined, baseUrl: string): AuthEventSink | undefined {
  if (!trail) {
    return undefined;
  }
  return (event) => {
    trail.buffer.record([authEvent(event, baseUrl)]).catch((err: unknown) => {
      trail.logger.error({ error: err instanceof Error ? err.name : typeof err }, 'could not record an authorization AuditEvent');
    });
  };
}
