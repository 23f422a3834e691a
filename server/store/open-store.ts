// Chooses and opens the storage adapter the configuration names: a small registry of adapters, the
// only place outside each adapter's folder that knows they exist. Opening is asynchronous, since a
// server-based adapter (MongoDB) connects and prepares its indexes first.
import type { ServerConfig } from '../config';
import type { ResourceIndexer, ResourceStore } from './port';
import { SqliteStore } from './sqlite/sqlite-store';

/** The part of the configuration the adapters read. */
export type StoreConfig = Pick<ServerConfig, 'store' | 'sqliteFile' | 'sqliteSynchronous' | 'sqliteCacheMiB'>;

type AdapterFactory = (config: StoreConfig, indexer: ResourceIndexer) => Promise<ResourceStore>;

const adapters: Record<ServerConfig['store'], AdapterFactory> = {
  sqlite: async (config, indexer) =>
    new SqliteStore({ file: config.sqliteFile, synchronous: config.sqliteSynchronous, indexer, cacheMiB: config.sqliteCacheMiB }),
};

export function openStore(config: StoreConfig, indexer: ResourceIndexer): Promise<ResourceStore> {
  return adapters[config.store](config, indexer);
}
