// Keeps caches of stored content right (the terminology's expansions, the validator's compiled
// profiles): the store's writes are passed through, and once a resource of one of the watched types has
// been written (after its transaction ended), `invalidate` is called. Wrapping the store the FHIR core
// writes through covers create, update, delete, patch and Bundles without the interactions knowing.
import type { Resource } from '@medplum/fhirtypes';
import { delegating } from './delegating-operations';
import type { PreparedAuditEvent, StoreOperations, TransactionalOperations } from './port';

export function invalidateOnWrite(store: TransactionalOperations, watched: ReadonlySet<string>, invalidate: () => void): TransactionalOperations {
  const observed = observeWrites(store, (type) => watched.has(type) && invalidate());
  return {
    ...observed,
    transaction: async (work) => {
      let touched = false;
      try {
        return await store.transaction((tx) => work(observeWrites(tx, (type) => (touched ||= watched.has(type)))));
      } finally {
        // Also after a rollback: forgetting too much only costs a re-read.
        if (touched) {
          invalidate();
        }
      }
    },
  };
}

/** The operations of `store`, calling `written` with the resource type after each write. */
function observeWrites(store: StoreOperations, written: (resourceType: string) => void): StoreOperations {
  return delegating(store, {
    create: async (resource, options) => {
      const result = await store.create(resource, options);
      written(resource.resourceType);
      return result;
    },
    update: async (resource, options) => {
      const result = await store.update(resource, options);
      written(resource.resourceType);
      return result;
    },
    delete: async (resourceType, id, options) => {
      const result = await store.delete(resourceType, id, options);
      written(resourceType);
      return result;
    },
    ...(store.appendAuditEvents && {
      appendAuditEvents: async (events: readonly (Resource | PreparedAuditEvent)[]) => {
        await store.appendAuditEvents?.(events);
        written('AuditEvent');
      },
    }),
  });
}
