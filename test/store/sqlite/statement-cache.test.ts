import { strict as assert } from 'node:assert';
import { DatabaseSync } from 'node:sqlite';
import { StatementCache, statementsCached } from '../../../server/store/sqlite/statement-cache';

describe('the prepared statements of a connection', () => {
  it(`keeps at most ${statementsCached}, preparing again the least recently used`, () => {
    const db = new DatabaseSync(':memory:');
    const cache = new StatementCache(db);
    const sql = (i: number): string => `SELECT ${i} AS n`;
    const first = cache.get(sql(0));
    assert.equal(cache.get(sql(0)), first, 'a cached statement is reused');
    for (let i = 1; i <= statementsCached; i++) {
      cache.get(sql(i));
    }
    const newest = cache.get(sql(statementsCached));
    assert.equal(cache.get(sql(statementsCached)), newest);
    const again = cache.get(sql(0));
    assert.notEqual(again, first, 'the least recently used was dropped');
    assert.deepEqual({ ...(again.get() as object) }, { n: 0 });
    db.close();
  });
});
