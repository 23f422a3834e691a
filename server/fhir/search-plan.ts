// The plan of a search an interaction runs: the query parsed (server/search/parse-search.ts), then the
// token modifiers that need the terminology (:in, :not-in, :above, :below) resolved to sets of codes.
// Search, compartment search and the conditional interactions all plan their searches here.
import type { ValueSet } from '@medplum/fhirtypes';
import { parseSearch, type ParsedSearch } from '../search/parse-search';
import { resolveTerminologyFilters } from '../search/resolve-terminology-filters';
import { readInstance } from './operations/terminology/terminology-inputs';
import type { FhirContext } from './request';
import { isResourceType } from './resource-definitions';

export async function planSearch(
  resourceType: string,
  query: URLSearchParams,
  count: number,
  context: FhirContext
): Promise<ParsedSearch> {
  const { plan, unknown } = parseSearch(resourceType, query, count, {
    registry: context.registry,
    baseUrl: context.baseUrl,
    isResourceType,
    limits: context.settings.limits,
  });
  const resolved = await resolveTerminologyFilters(plan, {
    terminology: context.terminology,
    valueSetById: (id) => readInstance<ValueSet>(context, 'ValueSet', id),
  });
  return { plan: { ...resolved, maxBytes: context.settings.limits.pageBytes }, unknown };
}
