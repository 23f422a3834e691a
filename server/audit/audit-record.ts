// What the audit buffer holds and hands to its writer: an AuditEvent built already (the authorization
// server's), or the facts of one FHIR interaction (rest-event-facts.ts), which stand for one event or
// one per patient and are turned into events where they are written.
import type { AuditEvent } from '@medplum/fhirtypes';
import { restEventsOf } from './events-rest';
import type { RestEventFacts } from './rest-event-facts';

export type AuditRecord = AuditEvent | RestEventFacts;

export function isRestEventFacts(record: AuditRecord): record is RestEventFacts {
  return !('resourceType' in record);
}

/** How many AuditEvents a record stands for. */
export function eventCount(record: AuditRecord): number {
  return isRestEventFacts(record) ? record.ids.length : 1;
}

/** The records' events, in order. */
export function auditEventsOf(records: readonly AuditRecord[]): AuditEvent[] {
  return records.flatMap((record) => (isRestEventFacts(record) ? restEventsOf(record) : [record]));
}
