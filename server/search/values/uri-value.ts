// uri: exact, :above (the value is a URL below a stored one), :below (a stored one below the value)
// (https://hl7.org/fhir/R4/search.html#uri).
import { badRequest } from '../../outcomes';
import type { ValueCondition } from '../plan';
import { unescapeValue } from './split';

export function parseUriValue(value: string, modifier: string, parameter: string): ValueCondition {
  const text = unescapeValue(value);
  if (modifier === '' || modifier === 'above' || modifier === 'below') {
    return { type: 'uri', match: modifier === '' ? 'eq' : modifier, value: text };
  }
  throw badRequest(`${parameter}: ':${modifier}' is not a modifier of uri parameters`, parameter);
}
