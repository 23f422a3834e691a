// quantity: [prefix]number, [prefix]number|system|code, [prefix]number||code
// (https://hl7.org/fhir/R4/search.html#quantity).
import { badRequest } from '../../outcomes';
import type { ValueCondition } from '../plan';
import { parseNumberRange } from './number-value';
import { splitPrefix } from './prefix';
import { splitUnescaped, unescapeValue } from './split';

export function parseQuantityValue(value: string, parameter: string): ValueCondition {
  const parts = splitUnescaped(value, '|').map(unescapeValue);
  if (parts.length !== 1 && parts.length !== 3) {
    throw badRequest(`${parameter}: a quantity is number, number|system|code or number||code; got '${value}'`, parameter);
  }
  const { prefix, rest } = splitPrefix(parts[0]);
  const range = parseNumberRange(rest, parameter);
  const condition: ValueCondition = { type: 'quantity', prefix, ...range };
  if (parts.length === 3) {
    if (parts[1]) {
      condition.system = parts[1];
    }
    if (parts[2]) {
      condition.code = parts[2];
    }
  }
  return condition;
}
