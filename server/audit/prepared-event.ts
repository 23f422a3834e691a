// AuditEvents handed to the audit writer thread as what it stores, not as objects to take apart again:
// each event's JSON text and its search entries (event-entries.ts), built on the server's thread where
// the event was built. The writer puts `meta` into the text, hashes it and inserts it; it no longer
// parses the event (7 µs) nor runs the indexer's FHIRPath over it (8-13 µs). docs/performance.md,
// "Built where it is known".
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { parseStoredResource } from '../json/stored-text';
import type { AuditEventEntries, PreparedAuditEvent } from '../store/port';
import { auditEventEntriesText, patientReferenceEntry } from './event-entries';

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
 * its own: restEvents' and authEvent's events), its JSON text alone otherwise. A sibling of a result
 * about several patients (markSiblings) is spliced from its family's first line.
 */
export function preparedLine(event: AuditEvent): string {
  return splicedLine(event) ?? plainPreparedLine(event);
}

/** The line of a family's sibling after its first, spliced (below); undefined for any other event. */
export function splicedLine(event: AuditEvent): string | undefined {
  const sibling = siblingOf(event);
  return sibling && siblingLine(sibling, event);
}

/** An id written without escapes and no meta of its own: what a prepared line's head assumes. */
function hasPlainId(event: AuditEvent): event is AuditEvent & { id: string } {
  return event.meta === undefined && typeof event.id === 'string' && fhirId.test(event.id);
}

/** preparedLine without the siblings' splicing: what a spliced line must equal (test/audit/prepared-events.test.ts). */
export function plainPreparedLine(event: AuditEvent): string {
  const text = JSON.stringify(event);
  if (!hasPlainId(event) || !text.startsWith(preparedTextHead(event.id))) {
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

/**
 * The events of one interaction about several patients (restEvents: one per patient, as BALP's
 * PatientQuery asks) differ only in their id and their last entity, the patient. The first one's line is
 * built as any other; the others are spliced from it: its text around the id and that entity, and its
 * entries with the patient's reference entry replaced, instead of stringifying and indexing each whole
 * event again (a page of 20 patients: 20 x 7 µs on the server's thread). Only where the splice is sure
 * to give the same line: the family's other agents and entities name no patient, so the first patient's
 * reference entry appears exactly twice in its entries (as an entity and as the patient).
 */
interface Family {
  first: AuditEvent;
  /** The first event's line's parts, once built; null when the family cannot be spliced. */
  template?: { middle: string; entries: string[] } | null;
}
/**
 * Where an event keeps its family: a property no copy, comparison or JSON text sees (not enumerable), so
 * that the mark costs no table a garbage collection has to walk (a WeakMap's entries do).
 */
const familyKey = Symbol('audit event family');
interface Sibling {
  family: Family;
  patient: string;
}
const siblingOf = (event: AuditEvent): Sibling | undefined => (event as { [familyKey]?: Sibling })[familyKey];

/** Marks events built by restEvents for `patients` (in order), each with that patient as its last entity. */
export function markSiblings(events: readonly AuditEvent[], patients: readonly string[]): void {
  const family: Family = { first: events[0] };
  events.forEach((event, i) => Object.defineProperty(event, familyKey, { value: { family, patient: patients[i] } satisfies Sibling }));
}

const lineTail = ']}';

function siblingLine({ family, patient }: Sibling, event: AuditEvent): string | undefined {
  if (family.template === undefined) {
    family.template = familyTemplate(family.first, siblingOf(family.first)!.patient);
  }
  const template = family.template;
  if (!template || event === family.first || !hasPlainId(event)) {
    return undefined;
  }
  const entity = patientEntityOf(event);
  const open = patientReferenceEntry(patient);
  if (!open || entity?.what?.reference !== `Patient/${patient}`) {
    return undefined;
  }
  return `${preparedTextHead(event.id)}${template.middle}${JSON.stringify(entity)}${lineTail}${entriesMark}${template.entries.join(open)}`;
}

function familyTemplate(first: AuditEvent, patient: string): Family['template'] {
  const line = plainPreparedLine(first);
  const mark = line.indexOf(entriesMark);
  const open = patientReferenceEntry(patient);
  const entity = patientEntityOf(first);
  if (mark < 0 || !open || !entity || entity.what?.reference !== `Patient/${patient}`) {
    return null;
  }
  const text = line.slice(0, mark);
  const head = preparedTextHead(first.id as string);
  const tail = `${JSON.stringify(entity)}${lineTail}`;
  const entries = line.slice(mark + 1).split(open);
  // A patient among the other agents and entities would meet the sibling's in the `patient` entries,
  // where the indexer keeps one of equal values: not spliced.
  const others = auditEventEntriesText({ ...first, entity: first.entity?.slice(0, -1) });
  if (!text.startsWith(head) || !text.endsWith(tail) || entries.length !== 3 || others.includes('"param":"patient"')) {
    return null;
  }
  return { middle: text.slice(head.length, text.length - tail.length), entries };
}

function patientEntityOf(event: AuditEvent): NonNullable<AuditEvent['entity']>[number] | undefined {
  return event.entity?.[event.entity.length - 1];
}
