// The planner's recent row counts (server/store/sqlite/row-estimates.ts): one count per question while
// it is recent, each question (SQL, values, limit) apart.
import { strict as assert } from 'node:assert';
import { RowEstimates } from '../../../server/store/sqlite/row-estimates';

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
});
