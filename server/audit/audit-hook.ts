// The pipeline hook that records an AuditEvent for every interaction a client makes: each request, each
// batch and transaction entry (with its position), and each refusal of the security policy (its `before`
// throws, and `after` still runs). The server's own work (the start-up seed) and reads of the
// CapabilityStatement are not recorded. Recording never fails the request: an error building an event
// is logged, and the events go to the buffer, not the store.
import type { Logger } from 'pino';
import type { RequestHook } from '../fhir/pipeline/hooks';
import type { AuditBuffer } from './audit-buffer';
import { restEvents } from './events-rest';

export function auditHook(buffer: AuditBuffer, baseUrl: string, logger: Logger): RequestHook {
  return {
    name: 'audit',
    async after(call, result): Promise<void> {
      if (call.caller.kind === 'server' || call.interaction.code === 'capabilities') {
        return;
      }
      try {
        await buffer.record(restEvents(call, result, baseUrl));
      } catch (err) {
        logger.error({ error: err instanceof Error ? err.name : typeof err, interaction: call.interaction.code }, 'could not build an AuditEvent');
      }
    },
  };
}
