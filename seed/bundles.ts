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

/**
 * Groups a stream of resource lists into transactions of at most `size` entries, never splitting a list:
 * the resources of one list may refer to each other in both directions (a family-doctor team and its
 * members' roles), and every reference must resolve when its transaction commits. A list longer than
 * `size` (the network's structure) is a transaction of its own.
 */
export function* inTransactions(lists: Iterable<Resource[]>, size = entriesPerBundle): Generator<Bundle> {
  let pending: Resource[] = [];
  for (const list of lists) {
    if (pending.length && pending.length + list.length > size) {
      yield putTransaction(pending);
      pending = [];
    }
    pending.push(...list);
  }
  if (pending.length) {
    yield putTransaction(pending);
  }
}
