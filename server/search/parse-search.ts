// Turns a search request's parameters into a SearchPlan: filters per parameter type, chains and _has,
// sort, includes and paging. Parameters the server does not know are returned as unknown, so the caller
// can report them (lenient) or refuse the search (strict). https://hl7.org/fhir/R4/search.html
import type { RequestLimits } from '../config';
import { badRequest, FhirError, issue } from '../outcomes';
import { parseDateCondition } from './date-value';
import type { SearchParameterRegistry } from './indexing/registry';
import type { SearchParameterDef } from './indexing/types';
import type { Filter, IncludeSpec, IndexKind, ParamRef, SearchPlan, SortKey } from './plan';
import { parseValue, type ValueContext } from './values/parse-value';
import { splitUnescaped, unescapeValue } from './values/split';

/** Search parameters the store answers from its own columns, on every resource type. */
export const storeSearchParameters = [
  { name: '_id', type: 'token' as const, documentation: 'Logical id of the resource' },
  { name: '_lastUpdated', type: 'date' as const, documentation: 'When the resource version was written' },
];

/** Result parameters: they shape the result rather than filter it. */
export const resultParameters: ReadonlySet<string> = new Set([
  '_count',
  '_sort',
  '_total',
  '_cursor',
  '_summary',
  '_elements',
  '_format',
  '_pretty',
  '_include',
  '_revinclude',
]);

/**
 * Modifiers each parameter type accepts besides :missing. The token modifiers :in, :not-in, :above and
 * :below are parsed to conditions the terminology resolves (resolve-terminology-filters.ts).
 */
const modifiers: Record<string, string[]> = {
  string: ['', 'exact', 'contains'],
  token: ['', 'not', 'text', 'of-type', 'in', 'not-in', 'above', 'below'],
  date: [''],
  number: [''],
  quantity: [''],
  uri: ['', 'above', 'below'],
  composite: [''],
};

export interface SearchContext {
  registry: SearchParameterRegistry;
  baseUrl: string;
  isResourceType: (type: string) => boolean;
  /** Limits of a client's search; absent for the server's own searches. */
  limits?: SearchLimits;
}

/** How much one search may ask for (RequestLimits in config.ts); each keeps the store's query within its own limits. */
export type SearchLimits = Pick<RequestLimits, 'searchParameters' | 'searchValues' | 'chainDepth' | 'sortKeys'>;

export interface ParsedSearch {
  plan: SearchPlan;
  /** Parameter names that were not understood (ignored). */
  unknown: string[];
}

export function parseSearch(resourceType: string, query: URLSearchParams, count: number, context: SearchContext): ParsedSearch {
  if (context.limits) {
    checkSearchLimits(query, context.limits);
  }
  const filters: Filter[] = [];
  const unknown: string[] = [];
  for (const [name, value] of query) {
    const base = name.split(':')[0];
    if (resultParameters.has(base)) {
      continue;
    }
    const parsed = parseParameter(resourceType, name, value, context);
    if (parsed) {
      filters.push(...parsed);
    } else {
      unknown.push(name);
    }
  }
  return {
    plan: {
      resourceType,
      filters,
      sort: parseSort(resourceType, query.get('_sort'), context),
      count,
      cursor: query.get('_cursor') ?? undefined,
      total: parseTotal(query.get('_total')),
      include: parseIncludes(query, '_include', context),
      revInclude: parseIncludes(query, '_revinclude', context),
    },
    unknown,
  };
}

/** Refuses a search that asks for more than the limits allow, naming the limit and its setting. */
function checkSearchLimits(query: URLSearchParams, limits: SearchLimits): void {
  const over = (text: string, expression?: string): FhirError =>
    new FhirError(400, [issue('too-costly', text, expression)]);
  const parameters = [...query];
  if (parameters.length > limits.searchParameters) {
    throw over(
      `The search has ${parameters.length} parameters; the limit is ${limits.searchParameters} (FHIR_SEARCH_MAX_PARAMETERS)`
    );
  }
  for (const [name, value] of parameters) {
    const values = splitUnescaped(value, ',').length;
    if (name === '_sort' && values > limits.sortKeys) {
      throw over(`_sort has ${values} keys; the limit is ${limits.sortKeys} (FHIR_SEARCH_MAX_SORT_KEYS)`, '_sort');
    }
    if (name !== '_sort' && values > limits.searchValues) {
      throw over(`${name} has ${values} values; the limit is ${limits.searchValues} (FHIR_SEARCH_MAX_VALUES)`, name);
    }
    // Each '.' of a chain and each _has: is one more link (one more join in the store's query).
    const links = (name.match(/\./g)?.length ?? 0) + (name.match(/(^|:)_has:/g)?.length ?? 0);
    if (links > limits.chainDepth) {
      throw over(`${name} chains ${links} links; the limit is ${limits.chainDepth} (FHIR_SEARCH_MAX_CHAIN_DEPTH)`, name);
    }
  }
}

/**
 * One query parameter as the filters on resourceType it means (all of them must match), or undefined if
 * no such parameter exists.
 */
function parseParameter(resourceType: string, name: string, value: string, context: SearchContext): Filter[] | undefined {
  if (name.startsWith('_has:')) {
    return [parseHas(resourceType, name, value, context)];
  }
  const dot = name.indexOf('.');
  if (dot > 0) {
    const chain = parseChain(resourceType, name.slice(0, dot), name.slice(dot + 1), value, context);
    return chain ? [chain] : undefined;
  }
  const [code] = splitModifier(name);
  const parts = context.registry.unionParts(resourceType, code);
  if (!parts) {
    const single = parseSingleParameter(resourceType, name, value, context);
    return single && [single];
  }
  // A union of parameters (union-parameters.ts) has no index rows of its own: it matches where a part
  // matches, and a negation (:not, :not-in, :missing=true) where every part's negation does.
  const partFilters = parts.map((part) => parseSingleParameter(resourceType, name, value, context, part)!);
  const negation = partFilters.every((f) => (f.kind === 'param' && f.negate) || (f.kind === 'missing' && f.missing));
  return negation ? partFilters : [{ kind: 'anyOf', filters: partFilters }];
}

/**
 * A parameter that is neither a chain nor a _has, nor a union of others, as one filter; `partCode` reads
 * it as that parameter instead (a union's part), errors still naming the parameter as the request did.
 */
function parseSingleParameter(resourceType: string, name: string, value: string, context: SearchContext, partCode?: string): Filter | undefined {
  const [named, modifier = ''] = splitModifier(name);
  const code = partCode ?? named;
  if ((code === '_id' || code === '_lastUpdated') && modifier === 'missing') {
    if (value !== 'true' && value !== 'false') {
      throw badRequest(`${name} takes true or false, got '${value}'`, name);
    }
    // Every resource has an id and a lastUpdated: missing=true matches none, missing=false all.
    return value === 'true' ? { kind: 'anyOf', filters: [] } : { kind: 'id', ids: [], negate: true };
  }
  if ((code === '_id' && modifier !== '' && modifier !== 'not') || (code === '_lastUpdated' && modifier !== '')) {
    throw badRequest(`${name}: ':${modifier}' is not a modifier of ${code}`, name);
  }
  if (code === '_id') {
    return { kind: 'id', ids: splitUnescaped(value, ',').map(unescapeValue), negate: modifier === 'not' };
  }
  if (code === '_lastUpdated') {
    return { kind: 'lastUpdated', anyOf: splitUnescaped(value, ',').map((v) => parseDateCondition(v, name)) };
  }
  const def = context.registry.get(resourceType, code);
  if (!def || def.type === 'special') {
    return undefined;
  }
  const param = paramRef(resourceType, def);
  if (modifier === 'missing') {
    if (value !== 'true' && value !== 'false') {
      throw badRequest(`${name} takes true or false, got '${value}'`, name);
    }
    return { kind: 'missing', param, missing: value === 'true' };
  }
  if (def.type !== 'reference' && !modifiers[def.type].includes(modifier)) {
    throw badRequest(`${name}: ':${modifier}' is not a modifier of ${def.type} parameters`, name);
  }
  const valueContext: ValueContext = {
    baseUrl: context.baseUrl,
    isResourceType: context.isResourceType,
    byCanonical: (url) => context.registry.byCanonical(url),
  };
  // :not and :not-in match resources with none of the values, and those without any value (as R4 says of :not).
  const negated = modifier === 'not' || (modifier === 'not-in' && def.type === 'token');
  const valueModifier = !negated ? modifier : modifier === 'not' ? '' : 'in';
  const anyOf = splitUnescaped(value, ',').map((v) => parseValue(def, v, valueModifier, name, valueContext));
  return { kind: 'param', param, anyOf, negate: negated };
}

/** subject:Patient.name=x, subject.name=x, and longer chains (https://hl7.org/fhir/R4/search.html#chaining). */
function parseChain(resourceType: string, link: string, rest: string, value: string, context: SearchContext): Filter | undefined {
  const [code, typeModifier] = splitModifier(link);
  const def = context.registry.get(resourceType, code);
  if (!def) {
    return undefined;
  }
  if (def.type !== 'reference') {
    throw badRequest(`${link}: only reference parameters can be chained`, link);
  }
  const nextName = rest.split('.')[0].split(':')[0];
  const candidates = typeModifier ? [typeModifier] : (def.target ?? []);
  const targetTypes = candidates.filter(
    (t) => context.isResourceType(t) && (nextName === '_id' || nextName === '_lastUpdated' || nextName.startsWith('_has') || context.registry.get(t, nextName))
  );
  if (!targetTypes.length) {
    throw badRequest(`${link}.${rest}: no target type of '${code}' has a parameter '${nextName}'`, `${link}.${rest}`);
  }
  // Each target type gets its own chain, so that a value is read with that type's parameter definition.
  const chains: Filter[] = [];
  for (const target of targetTypes) {
    const filters = parseParameter(target, rest, value, context);
    if (filters) {
      chains.push({ kind: 'chain', param: paramRef(resourceType, def), targetTypes: [target], filters });
    }
  }
  return chains.length === 1 ? chains[0] : { kind: 'anyOf', filters: chains };
}

/** _has:Observation:patient:code=x (https://hl7.org/fhir/R4/search.html#has). */
function parseHas(resourceType: string, name: string, value: string, context: SearchContext): Filter {
  const [, sourceType, referenceCode, ...restParts] = name.split(':');
  const rest = restParts.join(':');
  if (!sourceType || !referenceCode || !rest || !context.isResourceType(sourceType)) {
    throw badRequest(`${name}: _has is _has:[type]:[reference parameter]:[parameter]`, name);
  }
  const def = context.registry.get(sourceType, referenceCode);
  if (!def || def.type !== 'reference') {
    throw badRequest(`${name}: '${referenceCode}' is not a reference parameter of ${sourceType}`, name);
  }
  if (def.target && !def.target.includes(resourceType)) {
    throw badRequest(`${name}: ${sourceType}.${referenceCode} never refers to ${resourceType}`, name);
  }
  const inner = parseParameter(sourceType, rest, value, context);
  if (!inner) {
    throw badRequest(`${name}: '${rest}' is not a search parameter of ${sourceType}`, name);
  }
  return { kind: 'has', referenceParam: paramRef(sourceType, def), filters: inner };
}

function parseSort(resourceType: string, value: string | null, context: SearchContext): SortKey[] {
  if (!value) {
    return [];
  }
  return value.split(',').map((key) => {
    const descending = key.startsWith('-');
    const code = descending ? key.slice(1) : key;
    if (code === '_id' || code === '_lastUpdated') {
      return { field: code, descending };
    }
    const def = context.registry.get(resourceType, code);
    if (!def || def.type === 'composite' || def.type === 'special') {
      throw badRequest(`_sort: '${code}' is not a sortable search parameter of ${resourceType}`, '_sort');
    }
    const parts = context.registry.unionParts(resourceType, code);
    return {
      field: 'param',
      param: paramRef(resourceType, def),
      descending,
      ...(parts ? { parts: parts.map((part) => paramRef(resourceType, context.registry.get(resourceType, part)!)) } : {}),
    };
  });
}

/** _include=Type:param[:target], _include=*, and the :iterate modifier. */
function parseIncludes(query: URLSearchParams, name: '_include' | '_revinclude', context: SearchContext): IncludeSpec[] {
  const specs: IncludeSpec[] = [];
  for (const [key, value] of query) {
    const [base, modifier] = splitModifier(key);
    if (base !== name) {
      continue;
    }
    if (modifier && modifier !== 'iterate' && modifier !== 'recurse') {
      throw badRequest(`${key}: the only modifier is :iterate`, key);
    }
    const [sourceType, code, targetType] = value.split(':');
    if (value === '*') {
      throw badRequest(`${key}=* needs a source type: use ${name}=[type]:*`, key);
    }
    if (!sourceType || !code || !context.isResourceType(sourceType)) {
      throw badRequest(`${key}: '${value}' is not [type]:[parameter] or [type]:[parameter]:[target type]`, key);
    }
    const codes =
      code === '*'
        ? context.registry.forType(sourceType).filter((d) => d.type === 'reference').map((d) => d.code)
        : [code];
    if (code !== '*' && context.registry.get(sourceType, code)?.type !== 'reference') {
      throw badRequest(`${key}: '${code}' is not a reference parameter of ${sourceType}`, key);
    }
    if (targetType && !context.isResourceType(targetType)) {
      throw badRequest(`${key}: '${targetType}' is not a resource type`, key);
    }
    specs.push({ sourceType, codes, ...(targetType ? { targetType } : {}), iterate: !!modifier });
  }
  return specs;
}

function parseTotal(value: string | null): SearchPlan['total'] {
  if (value === null) {
    return 'auto';
  }
  if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
    throw badRequest(`_total must be none, estimate or accurate, got '${value}'`, '_total');
  }
  return value;
}

function splitModifier(name: string): [string, string | undefined] {
  const colon = name.indexOf(':');
  return colon < 0 ? [name, undefined] : [name.slice(0, colon), name.slice(colon + 1)];
}

export function paramRef(resourceType: string, def: SearchParameterDef): ParamRef {
  return { resourceType, code: def.code, kind: def.type as IndexKind };
}
