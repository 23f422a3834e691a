// The store operations of `ops`, each passed through unless `overrides` replaces it: the one way the
// wrappers around a store (a joined transaction, write rules, result restrictions, cache invalidation)
// change a few operations and keep the rest, so that a new port operation is passed through everywhere.
import type { StoreOperations } from './port';

export function delegating(ops: StoreOperations, overrides: Partial<StoreOperations> = {}): StoreOperations {
  const cohort = ops.cohort?.bind(ops);
  const appendAuditEvents = ops.appendAuditEvents?.bind(ops);
  return {
    create: (resource, options) => ops.create(resource, options),
    readCurrent: (resourceType, id) => ops.readCurrent(resourceType, id),
    readVersion: (resourceType, id, versionId) => ops.readVersion(resourceType, id, versionId),
    update: (resource, options) => ops.update(resource, options),
    delete: (resourceType, id, options) => ops.delete(resourceType, id, options),
    history: (query) => ops.history(query),
    search: (plan) => ops.search(plan),
    referrers: (target, query) => ops.referrers(target, query),
    chainRecords: (query) => ops.chainRecords(query),
    newestPosition: () => ops.newestPosition(),
    ...(cohort ? { cohort } : {}),
    ...(appendAuditEvents ? { appendAuditEvents } : {}),
    ...overrides,
  };
}
