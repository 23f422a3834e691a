// The storage adapters the adapter-neutral suites (the store contract, the search tests) run against:
// always the embedded SQLite store, and MongoDB whenever MONGODB_URL names a replica set (each store on a
// fresh database, dropped when the store closes). No MongoDB server runs where CI runs, so there the
// MongoDB leg is not run; the suites are the same code for both.
import { MongoClient } from 'mongodb';
import { randomUUID } from 'node:crypto';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openMongoStore, openMongoStoreOn } from '../../server/store/adapters';
import type { ResourceIndexer, ResourceStore } from '../../server/store/port';
import { mingoBackend } from './mingo-backend';
import { memoryStore, testRegistry } from './test-server';

export interface StoreAdapterUnderTest {
  name: string;
  /** A new, empty store, indexed like the server's unless another indexer is given. */
  open(indexer?: ResourceIndexer): Promise<ResourceStore>;
  /** Contract tests (by title) the adapter does not pass yet, each with the reason. */
  gaps: Record<string, string>;
}

export function storeAdapters(): StoreAdapterUnderTest[] {
  const indexed = (indexer?: ResourceIndexer): ResourceIndexer => indexer ?? createResourceIndexer(testRegistry());
  const adapters: StoreAdapterUnderTest[] = [
    { name: 'SQLite', open: async (indexer) => memoryStore(indexer), gaps: {} },
    // The MongoDB adapter's own code over collections evaluated in memory with mingo: not MongoDB, but
    // every query the adapter sends is one MongoDB would run, and its writes and pages are exercised.
    { name: 'the MongoDB adapter on mingo (no server)', open: async (indexer) => openMongoStoreOn(mingoBackend(), indexed(indexer)), gaps: {} },
  ];
  const mongoUrl = process.env.MONGODB_URL;
  if (mongoUrl) {
    adapters.push({ name: 'MongoDB', open: (indexer) => openMongoTestStore(mongoUrl, indexed(indexer)), gaps: {} });
  }
  return adapters;
}

/** Runs `suite` once per adapter, inside a describe naming it. */
export function forEachStoreAdapter(suite: (adapter: StoreAdapterUnderTest) => void): void {
  for (const adapter of storeAdapters()) {
    describe(`on ${adapter.name}`, () => suite(adapter));
  }
}

async function openMongoTestStore(url: string, indexer: ResourceIndexer): Promise<ResourceStore> {
  const database = `fhir_test_${randomUUID().slice(0, 8)}`;
  const store = await openMongoStore({ url, database, indexer });
  const closeStore = store.close.bind(store);
  store.close = async () => {
    await closeStore();
    const client = await MongoClient.connect(url);
    try {
      await client.db(database).dropDatabase();
    } finally {
      await client.close();
    }
  };
  return store;
}
