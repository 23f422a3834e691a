// string: starts-with (default), :exact, :contains, on normalised text (https://hl7.org/fhir/R4/search.html#string).
import { badRequest } from '../../outcomes';
import { normalizeSearchString } from '../indexing/normalize-string';
import type { ValueCondition } from '../plan';
import { unescapeValue } from './split';

export function parseStringValue(value: string, modifier: string, parameter: string): ValueCondition {
  const text = normalizeSearchString(unescapeValue(value));
  switch (modifier) {
    case '':
      return { type: 'string', match: 'starts', value: text };
    case 'exact':
      return { type: 'string', match: 'exact', value: text };
    case 'contains':
      return { type: 'string', match: 'contains', value: text };
    default:
      throw badRequest(`${parameter}: ':${modifier}' is not a modifier of string parameters`, parameter);
  }
}
