// The searches the home-care workflow makes below the caller's restriction: every current resource
// matching some filters, page by page, and the token filters they are made of.
import type { Filter } from '../../search/plan';
import type { ResourceVersion, StoreOperations } from '../../store/port';

const page = 1000;

/** Every current resource matching the filters, page by page. */
export async function searchAll<T>(store: StoreOperations, resourceType: string, filters: Filter[]): Promise<T[]> {
  const found: T[] = [];
  let cursor: string | undefined;
  do {
    const result = await store.search({ resourceType, filters, sort: [], count: page, total: 'none', include: [], revInclude: [], ...(cursor ? { cursor } : {}) });
    found.push(...result.resources.map((v: ResourceVersion) => v.resource as T));
    cursor = result.nextCursor;
  } while (cursor);
  return found;
}

/** A token filter; without `value`, any code of `system` (`system|`). */
export function tokenFilter(resourceType: string, code: string, system: string | undefined, value: string | undefined): Filter {
  return { kind: 'param', param: { resourceType, code, kind: 'token' }, anyOf: [{ type: 'token', ...(system ? { system } : {}), ...(value !== undefined ? { code: value } : {}) }] };
}
