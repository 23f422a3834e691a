// The 'exists' filter: the concept has (value 'true') or lacks (value 'false') the property.
import { unsupportedContent } from '../terminology-errors';
import type { ConceptPredicate, FilterInput } from './concept-filter';

export function compileExists({ index, property, value }: FilterInput): ConceptPredicate {
  if (value !== 'true' && value !== 'false') {
    throw unsupportedContent(`Filter '${property} exists' takes the value true or false, not '${value}'`);
  }
  const wanted = value === 'true';
  return (c) => index.propertyValues(c, property).length > 0 === wanted;
}
