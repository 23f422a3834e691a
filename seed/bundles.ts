// Transaction Bundles of PUTs with the resources' own ids: they load the same way into any server, and
// loading them again writes nothing new (an unchanged resource keeps its version).
import type { Bundle, Resource } from '@medplum/fhirtypes';

/** Entries per transaction when loading: large enough to amortize a commit, small enough to stay quick. */
export const entriesPerBundle = 1000;

export function putTransaction(resources: Resource[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource) => ({
      fullUrl: `${resource.resourceType}/${resource.id}`,
      resource,
      request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
    })),
  };
}

/** Groups a stream of resource lists into transactions of at most `size` entries. */
export function* inTransactions(lists: Iterable<Resource[]>, size = entriesPerBundle): Generator<Bundle> {
  let pending: Resource[] = [];
  for (const list of lists) {
    pending.push(...list);
    while (pending.length >= size) {
      yield putTransaction(pending.slice(0, size));
      pending = pending.slice(size);
    }
  }
  if (pending.length) {
    yield putTransaction(pending);
  }
}
