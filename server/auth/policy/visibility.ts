// Whether one resource is inside a caller's grant, asked of the store with the caller's restriction
// as plain filters: used for reads by id, launches, the patient picker and the targets of writes.
import type { Caller } from '../../fhir/pipeline/caller';
import { normalizeSearchString } from '../../search/indexing/normalize-string';
import type { Filter, SearchPlan } from '../../search/plan';
import type { StoreOperations } from '../../store/port';
import { restrictionFor } from './restriction';

/** The filters a resource of `type` must match for the caller; undefined: none at all (everything visible). */
export function visibilityFilters(caller: Caller, type: string): Filter[] | undefined {
  const restriction = restrictionFor(caller);
  if (!restriction) {
    return undefined;
  }
  const filters = restriction.byType[type];
  if (filters) {
    return filters;
  }
  return restriction.otherTypes === 'all' ? [] : [{ kind: 'id', ids: [] }];
}

function plan(type: string, filters: Filter[], count: number): SearchPlan {
  return { resourceType: type, filters, sort: [], count, total: 'none', include: [], revInclude: [] };
}

export async function isVisible(store: Pick<StoreOperations, 'search'>, caller: Caller, type: string, id: string): Promise<boolean> {
  return matchesFilters(store, type, id, visibilityFilters(caller, type) ?? []);
}

/** Whether the current version of a resource matches every filter, as the store's search sees it. */
export async function matchesFilters(store: Pick<StoreOperations, 'search'>, type: string, id: string, filters: readonly Filter[]): Promise<boolean> {
  const page = await store.search(plan(type, [{ kind: 'id', ids: [id] }, ...filters], 1));
  return page.resources.some((r) => r.id === id && !r.deleted);
}

/** Patients the caller may see whose name starts with `name` (all of them when empty), at most `count`. */
export async function visiblePatients(
  store: Pick<StoreOperations, 'search'>,
  caller: Caller,
  name: string,
  count: number
): Promise<{ id: string; label: string }[]> {
  const byName: Filter[] = name.trim()
    ? [{ kind: 'param', param: { resourceType: 'Patient', code: 'name', kind: 'string' }, anyOf: [{ type: 'string', match: 'starts', value: normalizeSearchString(name.trim()) }] }]
    : [];
  const page = await store.search(plan('Patient', [...byName, ...(visibilityFilters(caller, 'Patient') ?? [])], count));
  return page.resources.map((r) => {
    const patient = r.resource as { name?: { text?: string; family?: string; given?: string[] }[]; birthDate?: string };
    const n = patient.name?.[0];
    const label = n?.text ?? `${n?.family ?? ''}${(n?.given ?? []).join('')}`;
    return { id: r.id, label: `${label || r.id}${patient.birthDate ? ` (${patient.birthDate})` : ''}` };
  });
}
