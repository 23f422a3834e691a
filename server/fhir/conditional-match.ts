// The search behind conditional create, update, delete and patch and behind a transaction's conditional
// references (https://hl7.org/fhir/R4/http.html#ccreate). Criteria are strict: an ignored parameter
// would widen the match to resources the client never meant, and empty criteria would match everything.
import { badRequest, notFound, preconditionFailed } from '../outcomes';
import { resultParameters } from '../search/parse-search';
import type { ResourceVersion, StoreOperations } from '../store/port';
import type { FhirContext } from './request';
import { planSearch } from './search-plan';

/**
 * The current resources of `resourceType` matching `criteria` (a query string without '?'), at most
 * `limit` of them: callers ask for one more than they accept, to tell "one" from "several".
 * `what` names the caller in error messages, e.g. 'If-None-Exist'.
 */
export async function findMatches(
  store: StoreOperations,
  context: FhirContext,
  resourceType: string,
  criteria: string,
  limit: number,
  what: string
): Promise<ResourceVersion[]> {
  const query = new URLSearchParams(criteria);
  // Formatting parameters ride along on the URL of a conditional update or delete; they select nothing.
  query.delete('_format');
  query.delete('_pretty');
  // The other result parameters shape a result and mean nothing as criteria.
  const refused = [...query.keys()].filter((name) => resultParameters.has(name.split(':')[0]));
  if (refused.length) {
    throw badRequest(`${what} criteria cannot use ${refused.join(', ')}: give search parameters only`, what);
  }
  const { plan, unknown } = await planSearch(resourceType, query, 1000, context);
  if (unknown.length) {
    throw badRequest(`${what} criteria use unknown search parameter(s) for ${resourceType}: ${unknown.join(', ')}`, what);
  }
  if (!plan.filters.length) {
    throw badRequest(`${what} needs search criteria, e.g. ${resourceType}?identifier=system|value`, what);
  }
  const matches: ResourceVersion[] = [];
  let cursor: string | undefined;
  do {
    plan.count = Math.min(limit - matches.length, 1000);
    plan.cursor = cursor;
    const page = await store.search(plan);
    matches.push(...page.resources);
    cursor = page.nextCursor;
  } while (cursor && matches.length < limit);
  return matches;
}

/** The id of the one resource matching `criteria`: none is a 404, several a 412. */
export async function findSingleMatch(
  store: StoreOperations,
  context: FhirContext,
  resourceType: string,
  criteria: string,
  what: string
): Promise<string> {
  const matches = await findMatches(store, context, resourceType, criteria, 2, what);
  if (matches.length === 0) {
    throw notFound(`${what} '${resourceType}?${criteria}' matches no resource`);
  }
  if (matches.length > 1) {
    throw preconditionFailed(`${what} '${resourceType}?${criteria}' matches more than one resource: make the criteria more selective`);
  }
  return matches[0].id;
}

/** 'Patient?identifier=x|1' split into type and criteria, or undefined if it is not of that form. */
export function splitConditionalUrl(url: string): { resourceType: string; criteria: string } | undefined {
  const match = /^([A-Z][A-Za-z]+)\?(.*)$/.exec(url);
  return match ? { resourceType: match[1], criteria: match[2] } : undefined;
}
