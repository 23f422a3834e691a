// Chooses and opens the storage adapter named by the configuration; the only place that knows which runs.
import type { ServerConfig } from '../config';
import type { ResourceIndexer, ResourceStore } from './port';
import { SqliteStore } from './sqlite/sqlite-store';

export function openStore(config: ServerConfig, indexer: ResourceIndexer): ResourceStore {
  switch (config.store) {
    case 'sqlite':
      return new SqliteStore({ file: config.sqliteFile, synchronous: config.sqliteSynchronous, indexer, cacheMiB: config.sqliteCacheMiB });
  }
}
