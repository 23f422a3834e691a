// The search entries of an AuditEvent read straight from its shape, for the nine parameters AuditEvents
// are indexed on (audit-search-parameters.ts; https://hl7.org/fhir/R4/auditevent.html#search): every
// request writes an event, and walking the generic indexer's plans for each cost the audit writer about
// as much as hashing it (docs/performance.md, "Auditing on and off"). Only the navigation is replaced:
// the values are converted by the indexer's own functions (token, date and reference values), so an
// entry means what it means for any other type. An event of any other shape than the paths below expect
// (a client's or an imported one may hold anything the schema allows) gives undefined, and the caller
// uses the generic indexer; test/audit/audit-search-entries.test.ts checks that both agree.
import type { TypedValue } from '@medplum/core';
import type { AuditEvent } from '@medplum/fhirtypes';
import { addDateValues } from '../search/indexing/date-values';
import { addReferenceValues } from '../search/indexing/reference-values';
import { addTokenValues } from '../search/indexing/token-values';
import type { Entry, IndexEntries, ReferenceValue, TokenValue } from '../search/indexing/types';
import { uniqueValues } from '../search/indexing/unique-values';

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The items of a list element, or undefined when it is not a list of objects (an odd shape). */
function objects(value: unknown): Json[] | undefined {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isObject)) return undefined;
  return value;
}

/** A single element's typed value: none when absent, undefined (odd shape) when not of `kind`. */
function single(value: unknown, type: string, kind: 'object' | 'string'): TypedValue[] | undefined {
  if (value === undefined || value === '') return [];
  if (kind === 'object' ? !isObject(value) : typeof value !== 'string') return undefined;
  return [{ type, value }];
}

function tagged<V extends object>(param: string, values: V[], out: Entry<V>[]): void {
  for (const value of uniqueValues(values)) {
    const entry = value as Entry<V>;
    entry.param = param;
    out.push(entry);
  }
}

/**
 * The event's entries for date, agent, entity, patient, type, subtype, action, outcome and source, as the
 * generic indexer gives them for R4's definitions of these parameters; undefined when the event's shape is
 * not the one read here. `resourceTypes`: the known resource types (a reference names one).
 */
export function auditSearchEntries(event: AuditEvent, resourceTypes: ReadonlySet<string>): IndexEntries | undefined {
  const json = event as unknown as Json;
  const recorded = single(json.recorded, 'instant', 'string');
  const type = single(json.type, 'Coding', 'object');
  const action = single(json.action, 'code', 'string');
  const outcome = single(json.outcome, 'code', 'string');
  const subtypes = objects(json.subtype);
  const agents = objects(json.agent);
  const entities = objects(json.entity);
  const source = json.source === undefined ? {} : json.source;
  if (!recorded || !type || !action || !outcome || !subtypes || !agents || !entities || !isObject(source)) {
    return undefined;
  }
  const who: TypedValue[] = [];
  for (const agent of agents) {
    const value = single(agent.who, 'Reference', 'object');
    if (!value) return undefined;
    who.push(...value);
  }
  const what: TypedValue[] = [];
  for (const entity of entities) {
    const value = single(entity.what, 'Reference', 'object');
    if (!value) return undefined;
    what.push(...value);
  }
  const observer = single(source.observer, 'Reference', 'object');
  if (!observer) return undefined;

  const entries: IndexEntries = { strings: [], tokens: [], dates: [], numbers: [], quantities: [], references: [], uris: [], composites: [] };
  const dates: { low: number; high: number }[] = [];
  addDateValues(recorded, dates);
  tagged('date', dates, entries.dates);
  const references = (param: string, values: TypedValue[], requiredType?: string): void => {
    const out: ReferenceValue[] = [];
    addReferenceValues(values, out, resourceTypes, requiredType);
    tagged(param, out, entries.references);
  };
  references('agent', who);
  references('entity', what);
  // R4: AuditEvent.agent.who.where(resolve() is Patient) | AuditEvent.entity.what.where(resolve() is Patient)
  const patients: ReferenceValue[] = [];
  addReferenceValues(who, patients, resourceTypes, 'Patient');
  addReferenceValues(what, patients, resourceTypes, 'Patient');
  tagged('patient', patients, entries.references);
  references('source', observer);
  const tokens = (param: string, values: TypedValue[]): void => {
    const out: TokenValue[] = [];
    addTokenValues(values, out);
    tagged(param, out, entries.tokens);
  };
  // In the order of R4's definitions, as the generic indexer lists them.
  tokens('action', action);
  tokens('outcome', outcome);
  tokens('subtype', subtypes.map((value) => ({ type: 'Coding', value })));
  tokens('type', type);
  return entries;
}
