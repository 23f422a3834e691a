// search: GET [base]/[type]?params and POST [base]/[type]/_search (https://hl7.org/fhir/R4/http.html#search).
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { serializeWithStoredTexts } from '../json/stored-text';
import { badRequest, issue, outcome } from '../outcomes';
import { compartmentFilter } from '../search/compartments';
import { pageLinks, parseCount } from './paging';
import { isStrictHandling } from './prefer';
import type { Interaction } from './request';
import { planSearch } from './search-plan';
import { applySubset, parseSubsetRequest } from './subsetting';

export const search: Interaction = async (request, route, context) => {
  // In a compartment (Patient/123/Observation) the searched type is the last segment.
  const resourceType = route.searchType ?? (route.resourceType as string);
  const subset = parseSubsetRequest(request.query, true);
  const countOnly = subset.summary === 'count';
  const { plan, unknown } = await planSearch(resourceType, request.query, countOnly ? 0 : parseCount(request.query), context);
  if (route.searchType) {
    plan.filters.push(compartmentFilter(route.resourceType as string, route.id as string, resourceType));
  }
  if (countOnly) {
    plan.total = 'accurate';
  }
  if (unknown.length && isStrictHandling(request)) {
    throw badRequest(`Unknown search parameter(s) for ${resourceType}: ${unknown.join(', ')}`, unknown[0]);
  }
  const page = await context.store.search(plan);
  const entry: BundleEntry[] = [
    ...page.resources.map((v) => ({
      fullUrl: `${context.baseUrl}/${v.resourceType}/${v.id}`,
      resource: applySubset(v.resource!, subset),
      search: { mode: 'match' as const },
    })),
    ...page.included.map((v) => ({
      fullUrl: `${context.baseUrl}/${v.resourceType}/${v.id}`,
      resource: applySubset(v.resource!, subset),
      search: { mode: 'include' as const },
    })),
  ];
  if (unknown.length) {
    entry.push({
      resource: outcome(
        ...unknown.map((name) => issue('not-supported', `Unknown search parameter '${name}' was ignored`, name, 'warning'))
      ),
      search: { mode: 'outcome' },
    });
  }
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(page.total !== undefined ? { total: page.total } : {}),
    link: pageLinks(request, context, page.nextCursor, page.previousCursor),
    entry,
  };
  // The entries' resources as read are written as their stored text (server/json/stored-text.ts).
  return { status: 200, body: bundle, serialized: serializeWithStoredTexts(bundle) };
};
