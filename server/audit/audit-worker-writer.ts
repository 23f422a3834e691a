// The server's side of the audit writer thread (audit-worker.ts): an AuditWriter that hands each batch
// to the thread and resolves once it is committed. A thread that dies fails the batches it held (the
// buffer retries them) and is started again on the next write. Used where the store can be opened twice
// (an SQLite file, MongoDB); an in-memory store is written on the server's own thread (storeWriter).
// The thread starts with the first batch, so that it never slows the server's start-up.
import type { AuditEvent } from '@medplum/fhirtypes';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Logger } from 'pino';
import type { PreparedAuditEvent } from '../store/port';
import type { AuditWriter } from './audit-buffer';
import { isRestEventFacts, type AuditRecord } from './audit-record';
import type { WorkerReply } from './audit-worker';
import { restEventsOf } from './events-rest';
import { parsePreparedLine, preparedLine } from './prepared-event';
import type { RestEventFacts } from './rest-event-facts';

/** A batch goes as texts of lines (eventTexts): cheaper to write and to read than the structured clone of its objects. */
type Message = { events: string[] } | { close: true };

/**
 * The most characters of one text of a batch. V8 puts a string above 128 KiB in its large-object space,
 * a mapping of its own for each: a batch of 100 read events as one text (about 300 KB) cost the server's
 * thread about 12 µs an event to join, against 0.5 in texts of 120 KB or less (docs/performance.md,
 * "A batch in texts below V8's large objects"). 48,000 characters stay below it even at two bytes a
 * character (a text with Chinese in it).
 */
const textChars = 48_000;

/**
 * Starts the line of an interaction's facts (rest-event-facts.ts), which the writer thread turns into
 * its events. An event's line starts with `{`; JSON.stringify never writes a raw control character.
 */
const factsMark = '\u0003';

/**
 * The records as texts of lines, one line a record: an interaction's facts as their JSON after
 * `factsMark`, an event as its JSON and its search entries (prepared-event.ts). JSON.stringify writes a
 * line break inside a string as `\n`, never raw (https://tc39.es/ecma262/#sec-quotejsonstring), so a
 * line break only ever separates two records. Each text holds as many lines as fit in `textChars` (a
 * line longer than that goes in a text alone), in their order.
 */
export function eventTexts(records: readonly AuditRecord[]): string[] {
  const texts: string[] = [];
  let lines: string[] = [];
  let length = 0;
  for (const record of records) {
    const line = isRestEventFacts(record) ? `${factsMark}${JSON.stringify(record)}` : preparedLine(record);
    if (lines.length && length + line.length > textChars) {
      texts.push(lines.join('\n'));
      lines = [];
      length = 0;
    }
    lines.push(line);
    length += line.length + 1;
  }
  if (lines.length) {
    texts.push(lines.join('\n'));
  }
  return texts;
}

/**
 * The events of one of eventTexts' texts, as the store appends them (prepared, or parsed with their text
 * remembered): an interaction's facts are built into its events here, each prepared as the server's
 * thread would have prepared it.
 */
export function parseEventLines(text: string): (AuditEvent | PreparedAuditEvent)[] {
  const events: (AuditEvent | PreparedAuditEvent)[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith(factsMark)) {
      for (const event of restEventsOf(JSON.parse(line.slice(factsMark.length)) as RestEventFacts)) {
        events.push(parsePreparedLine(preparedLine(event)));
      }
    } else {
      events.push(parsePreparedLine(line));
    }
  }
  return events;
}

export interface AuditWorkerWriter {
  write: AuditWriter;
  close(): Promise<void>;
}

export function auditWorkerWriter(logger: Logger): AuditWorkerWriter {
  let worker: { thread: Worker; ready: Promise<void> } | undefined;
  let nextId = 0;
  const pending = new Map<number, { resolve: () => void; reject: (err: Error) => void }>();

  const start = (): { thread: Worker; ready: Promise<void> } => {
    // Its V8 young generation bounded as the read threads' is (docs/performance.md, "Memory"): V8 lets
    // it grow to 128 MiB under load, all of it resident.
    const thread = new Worker(path.join(__dirname, 'audit-worker.js'), { name: 'fhir-audit', resourceLimits: { maxYoungGenerationSizeMb: 32 } });
    // The thread never keeps the process alive: shutdown closes it after the last flush.
    thread.unref();
    const ready = new Promise<void>((resolve, reject) => {
      thread.on('message', (reply: WorkerReply) => {
        if ('ready' in reply) {
          resolve();
          return;
        }
        const waiting = pending.get(reply.id);
        pending.delete(reply.id);
        if (reply.ok) waiting?.resolve();
        else waiting?.reject(new Error(`audit writer: ${reply.error}`));
      });
      thread.once('error', (err) => {
        logger.error({ error: err.name }, 'the audit writer thread failed');
        reject(err);
      });
      thread.once('exit', () => {
        worker = undefined;
        for (const [, waiting] of pending) waiting.reject(new Error('audit writer thread exited'));
        pending.clear();
        reject(new Error('audit writer thread exited'));
      });
    });
    ready.catch(() => undefined);
    return { thread, ready };
  };

  const send = async (message: Message): Promise<void> => {
    worker ??= start();
    const { thread, ready } = worker;
    await ready;
    const id = nextId++;
    await new Promise<void>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      thread.postMessage({ ...message, id });
    });
  };

  return {
    // JSON.stringify on this thread costs about 1.5 µs an event less than postMessage's clone of the
    // objects, and JSON.parse on the writer's about 2.5 µs less than rebuilding them (docs/performance.md).
    // One line per event: the writer stores each event's own text (audit-worker.ts).
    write: (records: readonly AuditRecord[]) => send({ events: eventTexts(records) }),
    close: async () => {
      if (!worker) return;
      const { thread } = worker;
      await send({ close: true }).catch(() => undefined);
      await thread.terminate();
    },
  };
}
