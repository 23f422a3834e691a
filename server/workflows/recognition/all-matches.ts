// Every match of a search, page after page through the caller's store (its restriction applies), with a
// ceiling: a search that would match more than `max` resources is refused rather than read whole.
import type { Resource } from '@medplum/fhirtypes';
import type { FhirContext } from '../../fhir/request';
import { planSearch } from '../../fhir/search-plan';
import type { ResourceVersion } from '../../store/port';
import { tooCostly } from './recognition-errors';

export async function allMatches(context: FhirContext, resourceType: string, query: URLSearchParams, max: number, tooMany: string): Promise<ResourceVersion<Resource>[]> {
  const { plan } = await planSearch(resourceType, query, 500, context);
  const found: ResourceVersion[] = [];
  let cursor: string | undefined;
  do {
    const page = await context.store.search({ ...plan, cursor });
    found.push(...page.resources);
    cursor = page.nextCursor;
    if (found.length > max) {
      throw tooCostly(tooMany);
    }
  } while (cursor);
  return found;
}
