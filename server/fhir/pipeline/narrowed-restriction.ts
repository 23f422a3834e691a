// The part of a caller's restriction that one store query consults. A clinician's restriction holds the
// population filter for every patient-data type (67 of them, 63 kB as the read threads receive it), and
// cloning it to a read thread and back cost about 1 ms per query: more than the query itself. A search
// of one type without _include or _revinclude consults only its own type and the types its chains and
// _has reach (the restriction's own filters are never restricted again), so only those travel.
import type { Filter, ResultRestriction, SearchPlan } from '../../search/plan';
import type { HistoryQuery } from '../../store/port';
import { addReachedTypes } from './verdict-cache';

/** Narrowed restrictions already built, per restriction and consulted types (restrictions are shared objects). */
const narrowed = new WeakMap<ResultRestriction, Map<string, ResultRestriction>>();

/** The restriction a search needs: the whole one when it includes resources (their types are open). */
export function restrictionForSearch(plan: SearchPlan, restriction: ResultRestriction): ResultRestriction {
  if (plan.include.length > 0 || plan.revInclude.length > 0) {
    return restriction;
  }
  const types = new Set([plan.resourceType]);
  plan.filters.forEach((f) => addReachedTypes(f, types));
  return narrowedTo(restriction, types);
}

/** The restriction a history needs: its type's, when it has one. */
export function restrictionForHistory(query: HistoryQuery, restriction: ResultRestriction): ResultRestriction {
  return query.resourceType ? narrowedTo(restriction, new Set([query.resourceType])) : restriction;
}

/**
 * The restriction with the listed types only, each as the whole restriction sees it, and every other type
 * hidden: a type the query consults that was not foreseen here hides its rows rather than revealing them.
 */
export function narrowedTo(restriction: ResultRestriction, types: ReadonlySet<string>): ResultRestriction {
  const key = [...types].sort().join(',');
  let byTypes = narrowed.get(restriction);
  const known = byTypes?.get(key);
  if (known) {
    return known;
  }
  const byType: Record<string, Filter[]> = {};
  for (const type of types) {
    const filters = restriction.byType[type] ?? (restriction.otherTypes === 'all' ? [] : undefined);
    if (filters) {
      byType[type] = filters;
    }
  }
  const result: ResultRestriction = { byType, otherTypes: 'none' };
  if (!byTypes) {
    byTypes = new Map();
    narrowed.set(restriction, byTypes);
  }
  // Bounded by the shapes of searches a caller makes; the map goes with its restriction.
  if (byTypes.size < 200) {
    byTypes.set(key, result);
  }
  return result;
}
