// An AuditEvent's search entries read straight from the elements its nine indexed parameters name
// (audit-search-parameters.ts; the expressions of https://hl7.org/fhir/R4/auditevent.html#search), with
// the indexer's own converters, instead of evaluating the parameters' FHIRPath: built where the event
// is built (audit-worker-writer.ts), so that the audit writer neither parses nor indexes the event
// (docs/performance.md, "Built where it is known"). The same entries, in the same order, as the
// resource indexer extracts: a property test compares both (test/audit/prepared-events.test.ts).
import type { TypedValue } from '@medplum/core';
import type { AuditEvent, Reference } from '@medplum/fhirtypes';
import { addDateValues } from '../search/indexing/date-values';
import { ensureFhirSchema } from '../search/indexing/fhir-schema';
import { addReferenceValues } from '../search/indexing/reference-values';
import { addTokenValues } from '../search/indexing/token-values';
import type { IndexEntries } from '../search/indexing/types';
import { uniqueValues } from '../search/indexing/unique-values';

type Entries = Pick<IndexEntries, 'tokens' | 'dates' | 'references'>;

const references = (values: (Reference | undefined)[]): TypedValue[] => values.flatMap((value) => (value ? [{ type: 'Reference', value }] : []));

/** Each parameter's values without repeats, tagged with the parameter, as the indexer's append does. */
function append<V extends object>(param: string, values: V[], out: (V & { param: string })[]): void {
  for (const value of uniqueValues(values)) {
    out.push(Object.assign(value, { param }));
  }
}

/**
 * The entries of date, agent, entity, patient, type, subtype, action, outcome and source, in the
 * indexer's order (parameters by code, values in document order).
 */
export function auditEventEntries(event: AuditEvent): Entries {
  const resourceTypes = ensureFhirSchema().resourceTypes;
  const tokens: Entries['tokens'] = [];
  const dates: Entries['dates'] = [];
  const refs: Entries['references'] = [];
  const token = (param: string, values: TypedValue[]): void => {
    const out: Entries['tokens'] = [];
    addTokenValues(values, out);
    append(param, out, tokens);
  };
  const reference = (param: string, values: TypedValue[]): void => {
    const out: Entries['references'] = [];
    addReferenceValues(values, out, resourceTypes);
    append(param, out, refs);
  };
  const agents = references((event.agent ?? []).map((agent) => agent.who));
  const entities = references((event.entity ?? []).map((entity) => entity.what));
  token('action', event.action ? [{ type: 'code', value: event.action }] : []);
  reference('agent', agents);
  const recorded: Entries['dates'] = [];
  addDateValues(event.recorded ? [{ type: 'instant', value: event.recorded }] : [], recorded);
  append('date', recorded, dates);
  reference('entity', entities);
  token('outcome', event.outcome ? [{ type: 'code', value: event.outcome }] : []);
  // `AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)`.
  const patients: Entries['references'] = [];
  addReferenceValues(agents, patients, resourceTypes, 'Patient');
  addReferenceValues(entities, patients, resourceTypes, 'Patient');
  append('patient', patients, refs);
  reference('source', references([event.source?.observer]));
  token('subtype', (event.subtype ?? []).map((value) => ({ type: 'Coding', value })));
  token('type', event.type ? [{ type: 'Coding', value: event.type }] : []);
  return { tokens, dates, references: refs };
}
