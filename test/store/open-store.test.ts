// The adapter registry: the configuration alone chooses the store.
import { strict as assert } from 'node:assert';
import { loadConfig } from '../../server/config';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openStore } from '../../server/store/open-store';
import { patient } from '../helpers/fixtures';
import { testRegistry } from '../helpers/test-server';

describe('opening the configured store', () => {
  it('opens the embedded store by default', async () => {
    const store = await openStore(loadConfig({ FHIR_DB: ':memory:' }), createResourceIndexer(testRegistry()));
    try {
      await store.create(patient({ id: 'p1' }));
      assert.equal((await store.readCurrent('Patient', 'p1'))?.versionId, '1');
    } finally {
      await store.close();
    }
  });

  it('connects to MongoDB when FHIR_STORE=mongo, and fails when it cannot be reached, without repeating the password', async () => {
    const config = loadConfig({ FHIR_STORE: 'mongo', MONGODB_URL: 'mongodb://fhir:secret@127.0.0.1:9/?replicaSet=rs0&serverSelectionTimeoutMS=300' });
    await assert.rejects(openStore(config, createResourceIndexer(testRegistry())), (err: unknown) => {
      assert.ok(err instanceof Error && /ECONNREFUSED|Server selection timed out/.test(err.message), String(err));
      assert.ok(!String(err.message).includes('secret'));
      return true;
    });
  });
});
