// An AuditEvent's search entries read straight from the elements its nine indexed parameters name
// (audit-search-parameters.ts; the expressions of https://hl7.org/fhir/R4/auditevent.html#search), with
// the indexer's own converters, instead of evaluating the parameters' FHIRPath: built as JSON text where
// the event is built (prepared-event.ts), so that the audit writer neither parses nor indexes the event
// (docs/performance.md, "Built where it is known"). The same entries, in the same order, as the resource
// indexer extracts: a property test compares both (test/audit/prepared-events.test.ts).
import type { AuditEvent, Coding, Reference } from '@medplum/fhirtypes';
import { dateRange } from '../search/indexing/date-values';
import { ensureFhirSchema } from '../search/indexing/fhir-schema';
import { addReferenceValues } from '../search/indexing/reference-values';
import { addTokenValues } from '../search/indexing/token-values';
import type { ReferenceValue, TokenValue } from '../search/indexing/types';

/** `recorded` as restEvents writes it (Date.toISOString): an instant to the millisecond, [t, t + 1 ms). */
const isoInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/**
 * A value's entry as JSON text without its closing brace (the parameter goes last, as the indexer puts
 * it), and the type it points to; null for a value that yields none. Kept by what the converter reads:
 * the same clinicians, clients, patients and codings come back in event after event.
 */
interface EntryText {
  open: string;
  targetType: string | undefined;
}
const cacheLimit = 5000;
const referenceCache = new Map<string, EntryText | null>();
const codingCache = new Map<string, EntryText | null>();

function entryText(entry: TokenValue | ReferenceValue | undefined): EntryText | null {
  return entry ? { open: JSON.stringify(entry).slice(0, -1), targetType: (entry as ReferenceValue).targetType } : null;
}

function cached(cache: Map<string, EntryText | null>, key: string, make: () => TokenValue | ReferenceValue | undefined): EntryText | null {
  let found = cache.get(key);
  if (found === undefined) {
    found = entryText(make());
    if (cache.size >= cacheLimit) cache.clear();
    cache.set(key, found);
  }
  return found;
}

/**
 * What `AuditEvent.agent.who`, `.entity.what` and `.source.observer` yield for one Reference. `repeats`:
 * kept (the agents and the source, which come back in event after event); an entity's reference, rarely
 * seen twice, is converted each time rather than pushing them out.
 */
function referenceEntry(value: Reference | undefined, repeats: boolean): EntryText | null {
  if (!value) return null;
  const make = (): ReferenceValue | undefined => {
    const out: ReferenceValue[] = [];
    addReferenceValues([{ type: 'Reference', value }], out, ensureFhirSchema().resourceTypes);
    return out[0];
  };
  if (!repeats) {
    return entryText(make());
  }
  return cached(referenceCache, JSON.stringify([value.reference, value.type, value.identifier?.system, value.identifier?.value]), make);
}

/** The opening of a patient's reference entry (`Patient/<id>`, as restEvents names a patient), or undefined. */
export function patientReferenceEntry(id: string): string | undefined {
  return referenceEntry({ reference: `Patient/${id}` }, false)?.open;
}

/** What a Coding yields as a token. */
function codingEntry(value: Coding): EntryText | null {
  return cached(codingCache, JSON.stringify([value.system, value.code, value.display]), () => {
    const out: TokenValue[] = [];
    addTokenValues([{ type: 'Coding', value }], out);
    return out[0];
  });
}

/** Adds each entry of `param` once, in order: the indexer keeps a parameter's first of equal values. */
function append(param: string, entries: (EntryText | null)[], out: string[]): void {
  const added: string[] = [];
  for (const entry of entries) {
    if (entry && !added.includes(entry.open)) {
      added.push(entry.open);
      out.push(`${entry.open},"param":"${param}"}`);
    }
  }
}

/**
 * The entries of date, agent, entity, patient, type, subtype, action, outcome and source as the JSON
 * text of an AuditEventEntries (store/port.ts), in the indexer's order (parameters by code, values in document order).
 */
export function auditEventEntriesText(event: AuditEvent): string {
  const tokens: string[] = [];
  const references: string[] = [];
  const agents = (event.agent ?? []).map((agent) => referenceEntry(agent.who, true));
  const entities = (event.entity ?? []).map((entity) => referenceEntry(entity.what, false));
  if (event.action) tokens.push(`{"code":${JSON.stringify(event.action)},"param":"action"}`);
  append('agent', agents, references);
  append('entity', entities, references);
  if (event.outcome) tokens.push(`{"code":${JSON.stringify(event.outcome)},"param":"outcome"}`);
  // `AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)`.
  append('patient', [...agents, ...entities].filter((entry) => entry?.targetType === 'Patient'), references);
  append('source', [referenceEntry(event.source?.observer, true)], references);
  append('subtype', (event.subtype ?? []).map(codingEntry), tokens);
  append('type', event.type ? [codingEntry(event.type)] : [], tokens);
  return `{"tokens":[${tokens.join(',')}],"dates":[${recordedEntry(event.recorded)}],"references":[${references.join(',')}]}`;
}

function recordedEntry(recorded: string | undefined): string {
  if (recorded && isoInstant.test(recorded)) {
    const low = Date.parse(recorded);
    return `{"low":${low},"high":${low + 1},"param":"date"}`;
  }
  const range = recorded ? dateRange(recorded) : undefined;
  return range ? JSON.stringify({ ...range, param: 'date' }) : '';
}
