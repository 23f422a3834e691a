// Operations of an open transaction that can be handed to code written for a whole store: a nested
// `transaction` joins the open one instead of queueing behind it (which would wait for itself), so an
// interaction such as conditional create stays atomic alone and inside a transaction Bundle.
import type { StoreOperations, TransactionalOperations } from './port';

export function joinTransaction(tx: StoreOperations): TransactionalOperations {
  return {
    create: (resource) => tx.create(resource),
    readCurrent: (resourceType, id) => tx.readCurrent(resourceType, id),
    readVersion: (resourceType, id, versionId) => tx.readVersion(resourceType, id, versionId),
    update: (resource, options) => tx.update(resource, options),
    delete: (resourceType, id, options) => tx.delete(resourceType, id, options),
    history: (query) => tx.history(query),
    search: (plan) => tx.search(plan),
    referrers: (target, query) => tx.referrers(target, query),
    transaction: (work) => work(tx),
  };
}
