// reference: id, Type/id, an absolute URL (this server's is read as Type/id), a canonical url|version,
// :Type and :identifier (https://hl7.org/fhir/R4/search.html#reference).
import { badRequest } from '../../outcomes';
import type { SearchParameterDef } from '../indexing/types';
import type { ValueCondition } from '../plan';
import { splitUnescaped, unescapeValue } from './split';

export interface ReferenceContext {
  baseUrl: string;
  isResourceType: (type: string) => boolean;
}

export function parseReferenceValue(
  value: string,
  modifier: string,
  def: SearchParameterDef,
  parameter: string,
  context: ReferenceContext
): ValueCondition {
  if (modifier === 'identifier') {
    const parts = splitUnescaped(value, '|').map(unescapeValue);
    if (parts.length === 1) {
      return { type: 'reference', identifierValue: parts[0] };
    }
    if (parts.length !== 2) {
      throw badRequest(`${parameter}: identifier is system|value or value, got '${value}'`, parameter);
    }
    return { type: 'reference', ...(parts[0] ? { identifierSystem: parts[0] } : {}), ...(parts[1] ? { identifierValue: parts[1] } : {}) };
  }
  const text = unescapeValue(value);
  if (text === '') {
    throw badRequest(`${parameter}: empty reference`, parameter);
  }
  const typeModifier = modifier && context.isResourceType(modifier) ? modifier : undefined;
  if (modifier && !typeModifier) {
    throw badRequest(`${parameter}: ':${modifier}' is not a modifier of reference parameters`, parameter);
  }
  const local = text.startsWith(context.baseUrl + '/') ? text.slice(context.baseUrl.length + 1) : text;
  if (/^[a-z][a-z0-9+.-]*:/i.test(local)) {
    // An external absolute URL or a canonical, possibly with |version.
    const [url, version] = local.split('|');
    return { type: 'reference', url, ...(version ? { version } : {}) };
  }
  const segments = local.split('/');
  if (segments.length === 2 || (segments.length === 4 && segments[2] === '_history')) {
    const [type, id] = segments;
    if (!context.isResourceType(type)) {
      throw badRequest(`${parameter}: '${type}' in '${text}' is not a resource type`, parameter);
    }
    if (typeModifier && typeModifier !== type) {
      throw badRequest(`${parameter}:${typeModifier} cannot match '${text}'`, parameter);
    }
    return { type: 'reference', targetTypes: [type], id };
  }
  if (segments.length !== 1) {
    throw badRequest(`${parameter}: '${text}' is not an id, Type/id or absolute URL`, parameter);
  }
  const targets = typeModifier ? [typeModifier] : def.target?.length ? def.target : undefined;
  return { type: 'reference', id: local, ...(targets ? { targetTypes: targets } : {}) };
}
