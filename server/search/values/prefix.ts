// The comparison prefix at the start of a date, number or quantity value (https://hl7.org/fhir/R4/search.html#prefix).
import type { Prefix } from '../plan';

const prefixes = new Set<string>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const head = value.slice(0, 2);
  return prefixes.has(head) ? { prefix: head as Prefix, rest: value.slice(2) } : { prefix: 'eq', rest: value };
}
