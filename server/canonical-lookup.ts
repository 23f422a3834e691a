// The canonical-resource lookup the core gives terminology and validation: each question becomes the
// search plan a client's `url=` search would compile to, run on the store (unrestricted: the server's
// own conformance content is not a caller's data).
import type { Resource } from '@medplum/fhirtypes';
import type { CanonicalResources } from './canonical-resources';
import { parseSearch, type SearchContext } from './search/parse-search';
import { escapeValue } from './search/values/split';
import type { StoreOperations } from './store/port';

export function createCanonicalLookup(store: Pick<StoreOperations, 'search'>, searchContext: SearchContext): CanonicalResources {
  return {
    async find<T extends Resource>(resourceType: string, criteria: readonly (readonly [string, string])[], limit: number): Promise<T[]> {
      const query = new URLSearchParams(criteria.map(([name, value]): [string, string] => [name, escapeValue(value)]));
      const { plan } = parseSearch(resourceType, query, limit, searchContext);
      plan.total = 'none';
      const page = await store.search(plan);
      return page.resources.flatMap((version) => (version.resource ? [version.resource as T] : []));
    },
  };
}
