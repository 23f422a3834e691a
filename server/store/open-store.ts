// Chooses and opens the storage adapter the configuration names: a small registry of adapters, the
// only place outside each adapter's folder that knows they exist. Opening is asynchronous, since a
// server-based adapter (MongoDB) connects and prepares its indexes first.
import type { ServerConfig } from '../config';
import type { ResourceIndexer, ResourceStore } from './port';
import { SqliteStore } from './sqlite/sqlite-store';

/** The part of the configuration the adapters read. */
export type StoreConfig = Pick<
  ServerConfig,
  'store' | 'sqliteFile' | 'sqliteSynchronous' | 'sqliteCacheMiB' | 'sqliteReadCacheMiB' | 'sqliteReadThreads' | 'mongoUrl' | 'mongoDatabase'
>;

type AdapterFactory = (config: StoreConfig, indexer: ResourceIndexer) => Promise<ResourceStore>;

const adapters: Record<ServerConfig['store'], AdapterFactory> = {
  sqlite: async (config, indexer) =>
    new SqliteStore({
      file: config.sqliteFile,
      synchronous: config.sqliteSynchronous,
      indexer,
      cacheMiB: config.sqliteCacheMiB,
      readCacheMiB: config.sqliteReadCacheMiB,
      readThreads: config.sqliteReadThreads,
    }),
  mongo: async (config, indexer) => {
    if (!config.mongoUrl) {
      throw new Error('FHIR_STORE=mongo without MONGODB_URL: loadConfig refuses this configuration');
    }
    // Loaded only when chosen: the driver's BSON serializer alone keeps a 17 MB buffer in every thread
    // that loads it (docs/performance.md, "Memory").
    const { openMongoStore } = require('./mongo/mongo-store') as typeof import('./mongo/mongo-store');
    return openMongoStore({ url: config.mongoUrl, database: config.mongoDatabase, indexer });
  },
};

export function openStore(config: StoreConfig, indexer: ResourceIndexer): Promise<ResourceStore> {
  return adapters[config.store](config, indexer);
}
