// What the audit buffer holds and hands to its writer: an AuditEvent built already (the authorization
// server's), or the facts of one FHIR interaction (rest-event-facts.ts), which stand for one event or
// one per patient and are turned into events where they are written.
import type { AuditEvent } from '@medplum/fhirtypes';
import { restEventsOf } from './events-rest';
import type { RestEventFacts } from './rest-event-facts';

export type AuditRecord = AuditEvent | RestEventFacts;

/** Facts carry their events' ids; an event (whole or prepared: store/port.ts) has an `id` of its own. */
export function isRestEventFacts(record: object): record is RestEventFacts {
  return 'ids' in record;
}

/** How many AuditEvents a record stands for. */
export function eventCount(record: AuditRecord): number {
  return isRestEventFacts(record) ? record.ids.length : 1;
}

/** The records' events, in order: each interaction's facts built into its events, anything else as it is. */
export function auditEventsOf<T extends object>(records: readonly (RestEventFacts | T)[]): (AuditEvent | T)[] {
  return records.flatMap((record): (AuditEvent | T)[] => (isRestEventFacts(record) ? restEventsOf(record) : [record]));
}
