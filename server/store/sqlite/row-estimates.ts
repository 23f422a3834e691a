// The search planner's row counts, kept for a while (search-sql.ts asks how many keys each filter
// matches, up to the driver limit, before it picks a plan). Counting up to 2,000 matches of a filter
// whose value part no index reads (a composite's value, an equal quantity in two units) scans the
// parameter's entries until 2,000 pass: 8-22 ms at 350,000 resources, for a page that then takes
// 0.2 ms. An EMR asks the same codes and values all day, and a count a few seconds old chooses as
// well as a fresh one: like a type's size, it only steers the plan, never the answer.
import { BoundedCache } from '../../terminology/bounded-cache';
import type { Filter, ValueCondition } from '../../search/plan';
import type { Sql } from './filter-sql';

/** How long a count serves, and how many are kept (the least recently asked go first). */
const maxAgeMs = 30_000;
const maxEntries = 5_000;

/**
 * A filter whose matches can only shrink as one compared number grows (gt, ge, sa) or falls (lt, le,
 * eb): `component-code-value-quantity=…|8480-6$gt132` matches no more than `$gt126` does. A count that
 * reached the limit at one value then answers for every value on the side with more matches, so the
 * systolic values an EMR asks about share one count instead of one each (each cost 3-7 ms at 1M).
 */
export interface MonotoneBound {
  /** The filter without its compared number: counts of one family differ in that number alone. */
  family: string;
  value: number;
  /** True when fewer rows match as the value grows. */
  fewerAbove: boolean;
}

const fewerAbove = new Set(['gt', 'ge', 'sa']);
const fewerBelow = new Set(['lt', 'le', 'eb']);

/** The filter's monotone bound, when it compares one number (alone or as a composite's one numeric part). */
export function monotoneBound(filter: Filter): MonotoneBound | undefined {
  if (filter.kind !== 'param' || filter.negate || filter.anyOf.length !== 1) {
    return undefined;
  }
  const [condition] = filter.anyOf;
  const parts: ValueCondition[] = condition.type === 'composite' ? condition.parts : [condition];
  const ranged = parts.filter((p) => p.type === 'number' || p.type === 'quantity' || p.type === 'date');
  const [compared] = ranged;
  if (ranged.length !== 1 || (compared.type !== 'number' && compared.type !== 'quantity')) {
    return undefined;
  }
  const above = fewerAbove.has(compared.prefix);
  if (!above && !fewerBelow.has(compared.prefix)) {
    return undefined;
  }
  // The prefix stays in the family: gt and ge of one value differ, but each is monotone on its own.
  const shape = parts.map((p) => (p === compared ? { ...compared, value: null, low: null, high: null } : p));
  return { family: JSON.stringify([filter.param.resourceType, filter.param.code, shape]), value: compared.value, fewerAbove: above };
}

export class RowEstimates {
  private readonly counts = new BoundedCache<string, { rows: number; at: number }>(maxEntries);
  /** Per family and limit: the value up to (or down to) which the count is known to reach the limit. */
  private readonly saturated = new BoundedCache<string, { value: number; at: number }>(maxEntries);

  /** `count()` of the subquery up to `limit`, or a recent answer to the same question (or one it implies). */
  rows(subquery: Sql, limit: number, count: () => number, bound?: MonotoneBound): number {
    const now = Date.now();
    const familyKey = bound && `${limit}\u0000${bound.family}`;
    const reached = familyKey ? this.saturated.get(familyKey) : undefined;
    const fresh = reached && now - reached.at < maxAgeMs ? reached : undefined;
    if (bound && fresh && (bound.fewerAbove ? bound.value <= fresh.value : bound.value >= fresh.value)) {
      return limit;
    }
    const key = `${limit}\u0000${subquery.sql}\u0000${JSON.stringify(subquery.params)}`;
    const known = this.counts.get(key);
    const recent = known && now - known.at < maxAgeMs ? known : undefined;
    const rows = recent ? recent.rows : count();
    if (!recent) {
      this.counts.set(key, { rows, at: now });
    }
    if (bound && familyKey && rows >= limit) {
      const value = !fresh ? bound.value : bound.fewerAbove ? Math.max(fresh.value, bound.value) : Math.min(fresh.value, bound.value);
      this.saturated.set(familyKey, { value, at: now });
    }
    return rows;
  }
}
