// The planner's recent row counts (server/store/sqlite/row-estimates.ts): one count per question while
// it is recent, each question (SQL, values, limit) apart.
import { strict as assert } from 'node:assert';
import type { Filter } from '../../../server/search/plan';
import { monotoneBound, RowEstimates } from '../../../server/store/sqlite/row-estimates';
import { testSearchPlan } from '../../helpers/test-server';

function filterOf(query: string): Filter {
  return testSearchPlan('Observation', query).filters[0];
}

describe('the planner\'s row estimates', () => {
  it('counts a question once while its answer is recent, and each question apart', () => {
    const estimates = new RowEstimates();
    let counted = 0;
    const count = (n: number) => () => {
      counted++;
      return n;
    };
    const byCode = { sql: 'SELECT key FROM idx_token WHERE param_id = ? AND code = ?', params: [1, 'a'] };
    assert.equal(estimates.rows(byCode, 2000, count(7)), 7);
    assert.equal(estimates.rows(byCode, 2000, count(99)), 7);
    assert.equal(counted, 1);
    assert.equal(estimates.rows({ ...byCode, params: [1, 'b'] }, 2000, count(3)), 3);
    assert.equal(estimates.rows(byCode, 50, count(5)), 5);
    assert.equal(counted, 3);
  });

  it('counts again once the answer is 30 seconds old', () => {
    const estimates = new RowEstimates();
    const realNow = Date.now;
    let now = realNow();
    Date.now = () => now;
    try {
      const q = { sql: 'SELECT key FROM idx_date WHERE param_id = ?', params: [2] };
      assert.equal(estimates.rows(q, 2000, () => 10), 10);
      now += 29_000;
      assert.equal(estimates.rows(q, 2000, () => 20), 10);
      now += 2_000;
      assert.equal(estimates.rows(q, 2000, () => 20), 20);
    } finally {
      Date.now = realNow;
    }
  });

  it('answers a count that reached the limit for every value of the filter on the side with more matches', () => {
    const estimates = new RowEstimates();
    let counted = 0;
    const ask = (query: string, n: number): number =>
      estimates.rows({ sql: 'SELECT key FROM idx_composite WHERE param_id = ?', params: [query] }, 2000, () => (counted++, n), monotoneBound(filterOf(query)));
    const systolic = (v: string): string => `component-code-value-quantity=http://loinc.org|8480-6$${v}`;
    assert.equal(ask(systolic('gt132'), 2000), 2000);
    // Above 126 holds everything above 132: no count.
    assert.equal(ask(systolic('gt126'), 5), 2000);
    assert.equal(counted, 1);
    // Above 140 may hold fewer: counted, and under the limit it widens nothing.
    assert.equal(ask(systolic('gt140'), 1500), 1500);
    assert.equal(ask(systolic('gt139'), 1600), 1600);
    assert.equal(counted, 3);
    // Another code, or ge instead of gt, is another family.
    assert.equal(ask(`component-code-value-quantity=http://loinc.org|8462-4$gt60`, 30), 30);
    assert.equal(ask(systolic('ge120'), 40), 40);
    // Below: fewer as the value falls.
    assert.equal(ask('value-quantity=lt50', 2000), 2000);
    assert.equal(ask('value-quantity=lt70', 1), 2000);
    assert.equal(ask('value-quantity=lt40', 7), 7);
    assert.equal(counted, 7);
  });

  it('finds a monotone bound only in a filter comparing one number one way', () => {
    assert.equal(monotoneBound(filterOf('value-quantity=gt5'))?.fewerAbove, true);
    assert.equal(monotoneBound(filterOf('value-quantity=le5|http://unitsofmeasure.org|kg'))?.fewerAbove, false);
    assert.equal(monotoneBound(filterOf('value-quantity=5')), undefined, 'an equal value');
    assert.equal(monotoneBound(filterOf('value-quantity=gt5,lt2')), undefined, 'two values');
    assert.equal(monotoneBound(filterOf('code=http://loinc.org|8480-6')), undefined, 'no number');
    assert.notEqual(monotoneBound(filterOf('value-quantity=gt5|http://unitsofmeasure.org|kg'))?.family, monotoneBound(filterOf('value-quantity=gt5|http://unitsofmeasure.org|g'))?.family);
  });
});
