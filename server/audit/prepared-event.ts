// AuditEvents handed to the audit writer thread as what it stores, not as objects to take apart again:
// each event's JSON text and its search entries (event-entries.ts), built on the server's thread where
// the event was built. The writer puts `meta` into the text, hashes it and inserts it; it no longer
// parses the event (7 µs) nor runs the indexer's FHIRPath over it (8-13 µs). docs/performance.md,
// "Built where it is known".
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { parseStoredResource } from '../json/stored-text';
import type { AuditEventEntries, PreparedAuditEvent } from '../store/port';
import { auditEventEntriesText } from './event-entries';

/**
 * Separates an event's text from its entries on a line. JSON.stringify never writes a raw control
 * character (https://tc39.es/ecma262/#sec-quotejsonstring), so U+0002 and line breaks only ever separate.
 */
const entriesMark = '\u0002';

const textStart = '{"resourceType":"AuditEvent","id":"';
/** https://hl7.org/fhir/R4/datatypes.html#id: written as is inside a JSON string, without escapes. */
const fhirId = /^[A-Za-z0-9\-.]{1,64}$/;

/** The beginning the event's text must have: `meta` goes in after the id (the stored order, versioning.ts withMeta). */
export function preparedTextHead(id: string): string {
  return `${textStart}${id}",`;
}

/**
 * An event's line: its JSON text and its entries when it can be stored as sent (an id second, no meta of
 * its own: restEvents' and authEvent's events), its JSON text alone otherwise.
 */
export function preparedLine(event: AuditEvent): string {
  const text = JSON.stringify(event);
  if (event.meta !== undefined || typeof event.id !== 'string' || !fhirId.test(event.id) || !text.startsWith(preparedTextHead(event.id))) {
    return text;
  }
  return `${text}${entriesMark}${auditEventEntriesText(event)}`;
}

/** A line of preparedLine: the prepared event, or the event itself (its text remembered as its stored text). */
export function parsePreparedLine(line: string): AuditEvent | PreparedAuditEvent {
  const mark = line.indexOf(entriesMark);
  if (mark < 0) {
    // JSON.stringify wrote every number as it prints, so none is looked for (5 µs an event less).
    return parseStoredResource(line, false) as AuditEvent;
  }
  const eventText = line.slice(0, mark);
  // The id is the head's second member, an id written without escapes (preparedTextHead).
  const id = eventText.slice(textStart.length, eventText.indexOf('"', textStart.length));
  return { id, eventText, entries: JSON.parse(line.slice(mark + 1)) as AuditEventEntries };
}

export function isPreparedEvent(event: Resource | PreparedAuditEvent): event is PreparedAuditEvent {
  return 'eventText' in event;
}

/** The event as a resource (a store without the batch append, a batch written again one by one). */
export function auditEventOf(event: Resource | PreparedAuditEvent): Resource {
  return isPreparedEvent(event) ? parseStoredResource(event.eventText, false) : event;
}
