// AuditEvents are records of what happened: nobody updates, patches or deletes one through the API
// (403, the administrator included; retention archiving works on the store, docs/audit.md). A client
// may record its own events (BALP lets applications log what they did), but only as itself: one of the
// event's agents must be the caller (its fhirUser, or for a backend service its client_id). The
// administrator may import events recorded elsewhere (a clinic's previous system) as they were.
import type { AuditEvent } from '@medplum/fhirtypes';
import type { Caller } from '../fhir/pipeline/caller';
import { ruleViolation, type WriteRule } from '../fhir/pipeline/write-rules';
import { clientIdSystem } from './events-shared';

export const auditRecordsRule = 'audit-records';

export function auditWriteRule(baseUrl: string): WriteRule {
  return {
    name: auditRecordsRule,
    async check(write): Promise<void> {
      if (write.resourceType !== 'AuditEvent' || write.caller.kind === 'server') {
        return;
      }
      // An update of an id never used creates the event (PUT with a client-chosen id).
      if (write.action === 'delete' || (await write.previous())) {
        throw ruleViolation(auditRecordsRule, 'AuditEvents cannot be changed or deleted', 'AuditEvent', 403);
      }
      if (write.caller.roles.includes('administrator')) {
        return;
      }
      const event = write.resource as AuditEvent;
      if (!(event.agent ?? []).some((a) => isCaller(a.who, write.caller, baseUrl))) {
        throw ruleViolation(auditRecordsRule, 'An AuditEvent you record must name you as one of its agents', 'AuditEvent.agent', 403);
      }
    },
  };
}

function isCaller(who: AuditEvent['agent'][number]['who'], caller: Caller, baseUrl: string): boolean {
  if (caller.user) {
    return who?.reference === caller.user;
  }
  return who?.identifier?.system === clientIdSystem(baseUrl) && who.identifier.value === caller.clientId;
}
