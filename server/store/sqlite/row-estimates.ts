// The search planner's row counts, kept for a while (search-sql.ts asks how many keys each filter
// matches, up to the driver limit, before it picks a plan). Counting up to 2,000 matches of a filter
// whose value part no index reads (a composite's value, an equal quantity in two units) scans the
// parameter's entries until 2,000 pass: 8-22 ms at 350,000 resources, for a page that then takes
// 0.2 ms. An EMR asks the same codes and values all day, and a count a few seconds old chooses as
// well as a fresh one: like a type's size, it only steers the plan, never the answer.
import { BoundedCache } from '../../terminology/bounded-cache';
import type { Sql } from './filter-sql';

/** How long a count serves, and how many are kept (the least recently asked go first). */
const maxAgeMs = 30_000;
const maxEntries = 5_000;

export class RowEstimates {
  private readonly counts = new BoundedCache<string, { rows: number; at: number }>(maxEntries);

  /** `count()` of the subquery up to `limit`, or a recent answer to the same question. */
  rows(subquery: Sql, limit: number, count: () => number): number {
    const key = `${limit}\u0000${subquery.sql}\u0000${JSON.stringify(subquery.params)}`;
    const now = Date.now();
    const known = this.counts.get(key);
    if (known && now - known.at < maxAgeMs) {
      return known.rows;
    }
    const rows = count();
    this.counts.set(key, { rows, at: now });
    return rows;
  }
}
