// The SQLite planner's choice between driving a search from its most selective filter's keys and
// walking the sort order until the page is full, by the estimated number of rows each reads.
import { strict as assert } from 'node:assert';
import type { SearchPlan } from '../../server/search/plan';
import { compileSearch, type RowEstimator } from '../../server/store/sqlite/search-sql';
import { testSearchPlan } from '../helpers/test-server';

function plan(query: string): SearchPlan {
  return testSearchPlan('Observation', query);
}

const estimates = (matches: number, typeSize: number): RowEstimator => ({ rows: (_sql, limit) => Math.min(matches, limit), typeSize: () => typeSize });
const drives = (query: string, matches: number, typeSize: number): boolean =>
  compileSearch(plan(query), () => 1, estimates(matches, typeSize)).pageSql.match(/\) d (CROSS JOIN resources r|GROUP BY)/) !== null;

describe('search planner: driver or walk', () => {
  it('walks when a filter matches a large share of a small type: the page fills after a few rows', () => {
    assert.equal(drives('code=8480-6', 1900, 10_000), false);
  });

  it('drives when the same number of matches is a small share of a large type', () => {
    assert.equal(drives('code=8480-6', 1900, 1_000_000), true);
  });

  it('drives when few match, and when none do (the empty answer is immediate)', () => {
    assert.equal(drives('code=8480-6', 5, 10_000), true);
    assert.equal(drives('code=8480-6', 0, 10_000), true);
  });

  it('drives a search without a sort past the driver limit while a walk of a large type would read more, its keys read in key order', () => {
    assert.equal(drives('code=8480-6', 3000, 1_000_000), true);
    assert.equal(drives('code=8480-6', 9000, 1_000_000), false, 'past the break-even: the walk fills its page sooner');
    assert.equal(drives('code=8480-6&_sort=-date', 3000, 1_000_000), false, 'a sorted page is not in key order: the driver limit holds');
  });

  it('walks when every filter matches more than the driver limit', () => {
    assert.equal(drives('code=8480-6', 50_000, 1_000_000), false);
  });

  it('drives under a sort on a non-date parameter, which a walk cannot stop early', () => {
    assert.equal(drives('code=8480-6&_sort=status', 1900, 10_000), true);
    assert.equal(drives('code=8480-6&_sort=-date', 1900, 10_000), false, 'a date sort walks its index and stops early');
  });
});
