// The 'regex' filter: a property value matches the regular expression as a whole.
import { unsupportedContent } from '../terminology-errors';
import type { ConceptPredicate, FilterInput } from './concept-filter';

export function compileRegex({ index, property, value }: FilterInput): ConceptPredicate {
  let pattern: RegExp;
  try {
    pattern = new RegExp(`^(?:${value})$`, 'u');
  } catch (err) {
    throw unsupportedContent(`Filter '${property} regex': '${value}' is not a valid regular expression (${(err as Error).message})`);
  }
  return (c) => index.propertyValues(c, property).some((v) => pattern.test(v));
}
