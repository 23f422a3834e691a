// Chooses and opens the storage adapter named by the configuration; the only place that knows which runs.
import type { ServerConfig, StoreKind } from '../config';
import { openMongoStore, openSqliteStore } from './adapters';
import type { ResourceIndexer, ResourceStore } from './port';

type AdapterOpener = (config: ServerConfig, indexer: ResourceIndexer) => Promise<ResourceStore>;

const adapters: Record<StoreKind, AdapterOpener> = {
  sqlite: async (config, indexer) =>
    openSqliteStore({ file: config.sqliteFile, synchronous: config.sqliteSynchronous, indexer, cacheMiB: config.sqliteCacheMiB }),
  mongo: (config, indexer) => {
    if (!config.mongoUrl) {
      throw new Error('FHIR_STORE=mongo without MONGODB_URL: loadConfig refuses this configuration');
    }
    return openMongoStore({ url: config.mongoUrl, database: config.mongoDatabase, indexer });
  },
};

export function openStore(config: ServerConfig, indexer: ResourceIndexer): Promise<ResourceStore> {
  return adapters[config.store](config, indexer);
}
