// An AuditEvent's search entries read straight from the elements its nine indexed parameters name
// (audit-search-parameters.ts; the expressions of https://hl7.org/fhir/R4/auditevent.html#search), with
// the indexer's own converters, instead of evaluating the parameters' FHIRPath: built where the event
// is built (audit-worker-writer.ts), so that the audit writer neither parses nor indexes the event
// (docs/performance.md, "Built where it is known"). The same entries, in the same order, as the
// resource indexer extracts: a property test compares both (test/audit/prepared-events.test.ts).
import type { AuditEvent, Coding, Reference } from '@medplum/fhirtypes';
import { dateRange } from '../search/indexing/date-values';
import { ensureFhirSchema } from '../search/indexing/fhir-schema';
import { addReferenceValues } from '../search/indexing/reference-values';
import { addTokenValues } from '../search/indexing/token-values';
import type { IndexEntries } from '../search/indexing/types';
import { uniqueValues } from '../search/indexing/unique-values';

type Entries = Pick<IndexEntries, 'tokens' | 'dates' | 'references'>;
type TokenEntry = Entries['tokens'][number];
type ReferenceEntry = Entries['references'][number];

/** `recorded` as restEvents writes it (Date.toISOString): an instant to the millisecond, [t, t + 1 ms). */
const isoInstant = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** Each parameter's values without repeats, tagged with the parameter, as the indexer's append does. */
function append<V extends object>(param: string, values: V[], out: (V & { param: string })[]): void {
  for (const value of values.length > 1 ? uniqueValues(values) : values) {
    (value as V & { param: string }).param = param;
    out.push(value as V & { param: string });
  }
}

function codeToken(param: string, code: string | undefined, out: TokenEntry[]): void {
  if (code) out.push({ code, param });
}

function codingTokens(param: string, codings: readonly Coding[], out: TokenEntry[]): void {
  const values: TokenEntry[] = [];
  addTokenValues(
    codings.map((value) => ({ type: 'Coding', value })),
    values
  );
  append(param, values, out);
}

function referenceEntries(values: readonly (Reference | undefined)[], requiredType?: string): ReferenceEntry[] {
  const found: ReferenceEntry[] = [];
  for (const value of values) {
    if (value) addReferenceValues([{ type: 'Reference', value }], found, ensureFhirSchema().resourceTypes, requiredType);
  }
  return found;
}

/**
 * The entries of date, agent, entity, patient, type, subtype, action, outcome and source, in the
 * indexer's order (parameters by code, values in document order).
 */
export function auditEventEntries(event: AuditEvent): Entries {
  const tokens: TokenEntry[] = [];
  const references: ReferenceEntry[] = [];
  const who = (event.agent ?? []).map((agent) => agent.who);
  const what = (event.entity ?? []).map((entity) => entity.what);
  codeToken('action', event.action, tokens);
  append('agent', referenceEntries(who), references);
  const dates: Entries['dates'] = [];
  if (event.recorded && isoInstant.test(event.recorded)) {
    const low = Date.parse(event.recorded);
    dates.push({ low, high: low + 1, param: 'date' });
  } else {
    const range = event.recorded ? dateRange(event.recorded) : undefined;
    if (range) dates.push({ ...range, param: 'date' });
  }
  append('entity', referenceEntries(what), references);
  codeToken('outcome', event.outcome, tokens);
  // `AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)`.
  append('patient', [...referenceEntries(who, 'Patient'), ...referenceEntries(what, 'Patient')], references);
  append('source', referenceEntries([event.source?.observer]), references);
  codingTokens('subtype', event.subtype ?? [], tokens);
  codingTokens('type', event.type ? [event.type] : [], tokens);
  return { tokens, dates, references };
}
