// string: starts-with (default), :exact, :contains, on normalised text (https://hl7.org/fhir/R4/search.html#string).
import { badRequest } from '../../outcomes';
import { normalizeSearchString } from '../indexing/normalize-string';
import type { ValueCondition } from '../plan';
import { unescapeValue } from './split';

export function parseStringValue(value: string, modifier: string, parameter: string): ValueCondition {
  const raw = unescapeValue(value);
  const text = normalizeSearchString(raw);
  switch (modifier) {
    case '':
      return { type: 'string', match: 'starts', value: text };
    case 'exact':
      // Exactly as written: case, accents and spacing count.
      return { type: 'string', match: 'exact', value: raw };
    case 'contains':
      return { type: 'string', match: 'contains', value: text };
    default:
      throw badRequest(`${parameter}: ':${modifier}' is not a modifier of string parameters`, parameter);
  }
}
