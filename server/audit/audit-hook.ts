// The pipeline hook that records an AuditEvent for every interaction a client makes: each request, each
// batch and transaction entry (with its position), and each refusal of the security policy (its `before`
// throws, and `after` still runs). The server's own work (the start-up seed) and reads of the
// CapabilityStatement are not recorded. Recording never fails the request: an error gathering the facts
// is logged, and the facts go to the buffer, not the store; the audit writer builds the events from them
// (rest-event-facts.ts). While the audit writer is behind, a
// request waits for it before it runs (audit-buffer.ts, docs/audit.md "Loss bound").
import type { Logger } from 'pino';
import type { HookCall, RequestHook } from '../fhir/pipeline/hooks';
import type { AuditBuffer } from './audit-buffer';
import { restEventFacts } from './rest-event-facts';

export function auditHook(buffer: AuditBuffer, baseUrl: string, logger: Logger): RequestHook {
  const audited = (call: HookCall): boolean => call.caller.kind !== 'server' && call.interaction.code !== 'capabilities';
  return {
    name: 'audit',
    async before(call): Promise<void> {
      // Back-pressure before the work, never after it: a committed write's answer is not held back.
      if (audited(call)) {
        await buffer.caughtUp();
      }
    },
    async after(call, result): Promise<void> {
      if (!audited(call)) {
        return;
      }
      try {
        await buffer.record([restEventFacts(call, result, baseUrl)]);
      } catch (err) {
        logger.error({ error: err instanceof Error ? err.name : typeof err, interaction: call.interaction.code }, 'could not gather the facts of an AuditEvent');
      }
    },
  };
}
