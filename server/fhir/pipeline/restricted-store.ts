// The caller's view of the store: every search plan and history query made through it carries the
// caller's result restriction, which the adapter applies inside its queries (matches, chains, _has,
// _include and _revinclude, history, and so $everything). Interactions need not know it is there.
import type { ResultRestriction } from '../../search/plan';
import type { StoreOperations, TransactionalOperations } from '../../store/port';

export function withRestriction(store: TransactionalOperations, restriction: ResultRestriction | undefined): TransactionalOperations {
  if (!restriction) {
    return store;
  }
  return {
    ...restricted(store, restriction),
    transaction: (work) => store.transaction((tx) => work(restricted(tx, restriction))),
  };
}

function restricted(ops: StoreOperations, restriction: ResultRestriction): StoreOperations {
  return {
    create: (resource) => ops.create(resource),
    update: (resource, options) => ops.update(resource, options),
    delete: (resourceType, id, options) => ops.delete(resourceType, id, options),
    readCurrent: (resourceType, id) => ops.readCurrent(resourceType, id),
    readVersion: (resourceType, id, versionId) => ops.readVersion(resourceType, id, versionId),
    history: (query) => ops.history({ ...query, restriction }),
    search: (plan) => ops.search({ ...plan, restriction }),
    // Integrity checks must see every referrer, whoever asks: a hidden one still blocks a delete.
    referrers: (target, options) => ops.referrers(target, options),
  };
}
