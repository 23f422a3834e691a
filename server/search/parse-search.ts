// Turns a search request's parameters into a SearchPlan. Parameters this server does not support are
// returned as unknown, so the caller can report them (lenient) or refuse the search (strict).
// https://hl7.org/fhir/R4/search.html
import { badRequest } from '../outcomes';
import { parseDateRange } from './date-value';
import type { DatePrefix, Filter, SearchPlan, SortKey } from './plan';

/** Search parameters that every resource type supports, with their FHIR search type. */
export const commonSearchParameters = [
  { name: '_id', type: 'token' as const, documentation: 'Logical id of the resource' },
  { name: '_lastUpdated', type: 'date' as const, documentation: 'When the resource version was written' },
];

/** Result parameters: they shape the result rather than filter it. */
const resultParameters = new Set(['_count', '_sort', '_total', '_cursor', '_summary', '_elements', '_format', '_pretty']);

const datePrefixes = new Set<DatePrefix>(['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']);

export interface ParsedSearch {
  plan: SearchPlan;
  /** Parameter names that were not understood (ignored). */
  unknown: string[];
}

export function parseSearch(resourceType: string, query: URLSearchParams, count: number): ParsedSearch {
  const filters: Filter[] = [];
  const unknown: string[] = [];
  for (const [name, value] of query) {
    if (resultParameters.has(name)) {
      continue;
    }
    switch (name) {
      case '_id':
        filters.push({ kind: 'id', ids: splitValues(value) });
        break;
      case '_lastUpdated':
        filters.push({ kind: 'lastUpdated', anyOf: splitValues(value).map((v) => parseDateCondition(v, name)) });
        break;
      default:
        unknown.push(name);
    }
  }
  return {
    plan: {
      resourceType,
      filters,
      sort: parseSort(query.get('_sort')),
      count,
      cursor: query.get('_cursor') ?? undefined,
      total: parseTotal(query.get('_total')),
    },
    unknown,
  };
}

/** Comma-separated alternatives; '\,' is a literal comma (https://hl7.org/fhir/R4/search.html#escaping). */
export function splitValues(value: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      current += value[++i];
    } else if (c === ',') {
      values.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  values.push(current);
  return values;
}

function parseDateCondition(value: string, parameter: string): { prefix: DatePrefix; low: number; high: number } {
  const maybePrefix = value.slice(0, 2) as DatePrefix;
  const hasPrefix = datePrefixes.has(maybePrefix);
  const range = parseDateRange(hasPrefix ? value.slice(2) : value, parameter);
  return { prefix: hasPrefix ? maybePrefix : 'eq', ...range };
}

function parseSort(value: string | null): SortKey[] {
  if (!value) {
    return [];
  }
  return value.split(',').map((key) => {
    const descending = key.startsWith('-');
    const field = descending ? key.slice(1) : key;
    if (field !== '_id' && field !== '_lastUpdated') {
      throw badRequest(`_sort on '${field}' is not supported; sort on _id or _lastUpdated`, '_sort');
    }
    return { field, descending };
  });
}

function parseTotal(value: string | null): SearchPlan['total'] {
  if (value === null) {
    return 'accurate';
  }
  if (value !== 'none' && value !== 'estimate' && value !== 'accurate') {
    throw badRequest(`_total must be none, estimate or accurate, got '${value}'`, '_total');
  }
  return value;
}
