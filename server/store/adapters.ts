// The storage adapters' entry points: code outside server/store/ (start-up through open-store.ts, the
// tests, the benchmark) opens an adapter only through these, never by importing sqlite/ or mongo/, so
// that nothing else depends on which adapter runs (a test of the import graph holds this).
import { MongoStore, type MongoStoreBackend } from './mongo/mongo-store';
import type { ResourceIndexer, ResourceStore } from './port';
import { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store';

export { openMongoStore, type MongoStoreOptions } from './mongo/mongo-store';
export type { SqliteStoreOptions } from './sqlite/sqlite-store';
export { backupSqliteStore, restoreSqliteStore } from './sqlite/backup';

/** The embedded store, which always has its fast bulk load. */
export type EmbeddedStore = ResourceStore & Required<Pick<ResourceStore, 'bulkLoad'>>;

/** The embedded store; opening a file is synchronous (node:sqlite), so this is too. */
export function openSqliteStore(options: SqliteStoreOptions): EmbeddedStore {
  return new SqliteStore(options);
}

export type { MongoStoreBackend } from './mongo/mongo-store';
/** The authorization collections of a MongoDB backend, and their indexes (which stand-ins enforce). */
export { authIndexes as mongoAuthIndexes, type AuthCollections as MongoAuthCollections } from './mongo/auth-collections';

/**
 * The MongoDB adapter over a given backend (its collections and transaction runner) instead of a
 * connection: the tests run it over collections evaluated in memory with mingo, where no server runs.
 */
export function openMongoStoreOn(backend: MongoStoreBackend, indexer: ResourceIndexer): ResourceStore {
  return new MongoStore(backend, indexer);
}
