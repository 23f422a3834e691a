// SIGKILL durability with concurrent writers and transactions, over several kills of the real server on
// one SQLite file (bench/crash-cycles.ts; the benchmark runs the long loop).
import { strict as assert } from 'node:assert';
import { runCrashCycles } from '../../bench/crash-cycles';

describe('durability over repeated SIGKILLs under concurrent writes', function () {
  this.timeout(180_000);

  it('loses no acknowledged write and half-applies no transaction over 3 kills with 4 writers', async () => {
    const figures = await runCrashCycles({ cycles: 3, writers: 4, maxRunMs: 1500 });
    assert.deepEqual(figures.problems, []);
    assert.equal(figures.lostWrites, 0);
    assert.equal(figures.halfAppliedTransactions, 0);
    assert.equal(figures.cycles, 3);
    assert.ok(figures.acknowledgedWrites > 20, `only ${figures.acknowledgedWrites} writes acknowledged`);
    assert.ok(figures.transactionsChecked > 3);
  });
});
