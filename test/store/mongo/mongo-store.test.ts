// What the MongoDB adapter needs beyond the shared contract (store-contract.ts, which it passes over
// collections evaluated with mingo): indexes MongoDB can build.
import { strict as assert } from 'node:assert';
import { currentIndexes, historyIndexes } from '../../../server/store/mongo/indexes';

describe('MongoDB store', () => {
  describe('indexes', () => {
    it('index at most one array per compound index, as MongoDB requires, under unique names', () => {
      for (const index of [...currentIndexes, ...historyIndexes]) {
        const arrays = new Set(Object.keys(index.key as object).filter((f) => f.startsWith('idx.')).map((f) => f.split('.').slice(0, 2).join('.')));
        assert.ok(arrays.size <= 1, `${index.name} indexes several arrays: ${[...arrays].join(', ')}`);
      }
      const names = [...currentIndexes, ...historyIndexes].map((i) => i.name);
      assert.equal(new Set(names).size, names.length);
    });
  });
});
