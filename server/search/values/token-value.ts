// token: code, system|code, |code, system|, :not, :text, :of-type, and the terminology modifiers :in,
// :not-in, :above and :below (https://hl7.org/fhir/R4/search.html#token).
import { badRequest } from '../../outcomes';
import { normalizeSearchString } from '../indexing/normalize-string';
import type { ValueCondition } from '../plan';
import { splitUnescaped, unescapeValue } from './split';

export function parseTokenValue(value: string, modifier: string, parameter: string): ValueCondition {
  if (modifier === 'text') {
    return { type: 'token', text: normalizeSearchString(unescapeValue(value)) };
  }
  if (modifier === 'in') {
    // A ValueSet's canonical url (with `|version`) or literal reference: a URI, not a token, so '|' is kept.
    const valueSet = unescapeValue(value);
    if (!valueSet) {
      throw badRequest(`${parameter} takes a ValueSet: its canonical url or ValueSet/[id]`, parameter);
    }
    return { type: 'valueSet', valueSet, parameter };
  }
  const parts = splitUnescaped(value, '|').map(unescapeValue);
  if (modifier === 'above' || modifier === 'below') {
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      throw badRequest(`${parameter} takes system|code, got '${value}': the hierarchy is a code system's, so name the system`, parameter);
    }
    return { type: 'hierarchy', direction: modifier, system: parts[0], code: parts[1], parameter };
  }
  if (modifier === 'of-type') {
    if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) {
      throw badRequest(`${parameter}:of-type takes type-system|type-code|value, got '${value}'`, parameter);
    }
    return { type: 'token', typeSystem: parts[0], typeCode: parts[1], code: parts[2] };
  }
  if (parts.length === 1) {
    return { type: 'token', code: parts[0] };
  }
  if (parts.length !== 2) {
    throw badRequest(`${parameter}: '${value}' has more than one unescaped '|'`, parameter);
  }
  const [system, code] = parts;
  if (!system && !code) {
    throw badRequest(`${parameter}: '|' alone names neither a system nor a code`, parameter);
  }
  return { type: 'token', system: system === '' ? null : system, ...(code ? { code } : {}) };
}
