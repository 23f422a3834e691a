// The '=' filter: a property of the concept has exactly this value (a Coding property compares its code).
import type { ConceptPredicate, FilterInput } from './concept-filter';

export function compileEquals({ index, property, value }: FilterInput): ConceptPredicate {
  return (c) => index.propertyValues(c, property).includes(value);
}
