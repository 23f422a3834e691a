// The caller's view of the store: every search plan and history query made through it carries the
// caller's result restriction, which the adapter applies inside its queries (matches, chains, _has,
// _include and _revinclude, history, and so $everything); a read of a resource the caller may not see
// finds nothing. Interactions need not know it is there. Writes pass through: refusing them is for
// hooks and write rules.
import type { ResultRestriction } from '../../search/plan';
import { delegating } from '../../store/delegating-operations';
import type { ResourceVersion, StoreOperations, TransactionalOperations } from '../../store/port';
import { narrowedTo, restrictionForHistory, restrictionForSearch } from './narrowed-restriction';
import type { VisibilityVerdicts } from './verdict-cache';

/**
 * `verdicts`: the store's verdicts kept across requests (verdict-cache.ts); only for a view of committed
 * data, never of an open transaction (whose uncommitted writes the change marker does not see).
 */
export function withRestriction(store: TransactionalOperations, restriction: ResultRestriction | undefined, verdicts?: VisibilityVerdicts): TransactionalOperations {
  if (!restriction) {
    return store;
  }
  return {
    ...restricted(store, restriction, verdicts),
    transaction: (work) => store.transaction((tx) => work(restricted(tx, restriction))),
  };
}

function restricted(ops: StoreOperations, restriction: ResultRestriction, kept?: VisibilityVerdicts): StoreOperations {
  // Verdicts already reached in this view, by resource and its current version: the policy's check of a
  // read by id and the read itself ask the same question, and the answer costs a query. A write through
  // the view may change the answer, so every write forgets them.
  const verdicts = new Map<string, { versionId: string; visible: boolean }>();
  // Current versions already read in this view: the policy's check of a read by id reads the resource,
  // and the read itself then asks for it again. Forgotten on every write, as the verdicts are.
  const currents = new Map<string, Promise<ResourceVersion | undefined>>();
  const forget = (): void => {
    verdicts.clear();
    currents.clear();
  };
  const readCurrent = (resourceType: string, id: string): Promise<ResourceVersion | undefined> => {
    const key = `${resourceType}/${id}`;
    let current = currents.get(key);
    if (!current) {
      current = ops.readCurrent(resourceType, id);
      currents.set(key, current);
      // A failed read is not remembered.
      current.catch(() => currents.delete(key));
    }
    return current;
  };
  const visibleOrNothing = async (version: ResourceVersion | undefined, isCurrent: boolean): Promise<ResourceVersion | undefined> => {
    if (!version) {
      return undefined;
    }
    const key = `${version.resourceType}/${version.id}`;
    const current = version.deleted ? undefined : isCurrent ? version.versionId : await currentVersionId(readCurrent, version);
    const known = current === undefined ? undefined : verdicts.get(key);
    if (known && known.versionId === current) {
      return known.visible ? version : undefined;
    }
    const visible =
      kept && current !== undefined
        ? await kept.visible(narrowedTo(restriction, new Set([version.resourceType])), version.resourceType, version.id, current, () => isVisible(ops, restriction, version))
        : await isVisible(ops, restriction, version);
    if (current !== undefined) {
      verdicts.set(key, { versionId: current, visible });
    }
    return visible ? version : undefined;
  };
  // Writes and referrers pass through: integrity checks must see every referrer, whoever asks (a hidden
  // one still blocks a delete).
  return delegating(ops, {
    create: (resource, options) => {
      forget();
      return ops.create(resource, options);
    },
    update: (resource, options) => {
      forget();
      return ops.update(resource, options);
    },
    delete: (resourceType, id, options) => {
      forget();
      return ops.delete(resourceType, id, options);
    },
    readCurrent: async (resourceType, id) => visibleOrNothing(await readCurrent(resourceType, id), true),
    readVersion: async (resourceType, id, versionId) => visibleOrNothing(await ops.readVersion(resourceType, id, versionId), false),
    history: (query) => ops.history({ ...query, restriction: restrictionForHistory(query, restriction) }),
    search: (plan) => ops.search({ ...plan, restriction: restrictionForSearch(plan, restriction) }),
  });
}

/** The resource's current version id, which the verdict is about; undefined when it is deleted. */
async function currentVersionId(
  readCurrent: (resourceType: string, id: string) => Promise<ResourceVersion | undefined>,
  version: ResourceVersion
): Promise<string | undefined> {
  const current = await readCurrent(version.resourceType, version.id);
  return current && !current.deleted ? current.versionId : undefined;
}

/**
 * Whether the caller may see a resource (judged on its current version, as history is). A type visible
 * whole needs no query; otherwise the store is asked for the resource by id under the restriction, and
 * a deleted resource of such a type, which no filter can match any more, stays hidden.
 */
async function isVisible(ops: StoreOperations, restriction: ResultRestriction, version: ResourceVersion): Promise<boolean> {
  const filters = restriction.byType[version.resourceType];
  if (filters === undefined) {
    return restriction.otherTypes === 'all';
  }
  if (filters.length === 0) {
    return true;
  }
  if (version.deleted) {
    return false;
  }
  const page = await ops.search({
    resourceType: version.resourceType,
    filters: [{ kind: 'id', ids: [version.id] }],
    sort: [],
    count: 1,
    total: 'none',
    include: [],
    revInclude: [],
    // Only the type's own filters are consulted for one row by id (see narrowed-restriction.ts).
    restriction: narrowedTo(restriction, new Set([version.resourceType])),
  });
  return page.resources.length > 0;
}
