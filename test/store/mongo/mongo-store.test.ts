// What the MongoDB adapter needs beyond the shared contract (store-contract.ts, which it passes over
// collections evaluated with mingo): indexes MongoDB can build, and processes sharing one database.
import { strict as assert } from 'node:assert';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openMongoStoreOn } from '../../../server/store/adapters';
import { currentIndexes, historyIndexes } from '../../../server/store/mongo/indexes';
import { patient } from '../../helpers/fixtures';
import { mingoBackend } from '../../helpers/mingo-backend';
import { testRegistry } from '../../helpers/test-server';

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

  it('lets two processes on one database see each other’s writes, change markers and authorization state', async () => {
    const backend = mingoBackend();
    const indexer = createResourceIndexer(testRegistry());
    const [one, two] = [openMongoStoreOn(backend, indexer), openMongoStoreOn(backend, indexer)];
    const marker = await two.changeMarker(['ValueSet']);
    await one.create({ resourceType: 'ValueSet', id: 'vs', status: 'active' });
    await one.create(patient({ id: 'p' }));
    assert.notEqual(await two.changeMarker(['ValueSet']), marker);
    assert.equal((await two.readCurrent('Patient', 'p'))?.versionId, '1');
    await two.update(patient({ id: 'p', active: true }), { expectedVersionId: '1' });
    await assert.rejects(one.update(patient({ id: 'p', active: false }), { expectedVersionId: '1' }));
    await one.authStore().revokeAccessToken('j', Date.now() + 60_000);
    assert.equal(await two.authStore().isAccessTokenRevoked('j'), true);
  });
});
