// The 'in' and 'not-in' filters: a property value is (not) one of a comma-separated list of values.
import type { ConceptPredicate, FilterInput } from './concept-filter';

export function compileIn({ index, property, value }: FilterInput, op: string): ConceptPredicate {
  const listed = new Set(value.split(',').map((v) => v.trim()).filter((v) => v !== ''));
  const isIn: ConceptPredicate = (c) => index.propertyValues(c, property).some((v) => listed.has(v));
  return op === 'in' ? isIn : (c) => !isIn(c);
}
