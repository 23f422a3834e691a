// The MongoDB store: a replica set (or a sharded cluster) through the official driver. Every write runs
// in a multi-document transaction (the new version, the previous version's end and the current
// document commit together), and `session.withTransaction` retries the whole unit on MongoDB's
// transient transaction errors (a write conflict with a concurrent transaction, a primary election).
// https://www.mongodb.com/docs/manual/core/transactions/
import type { Resource } from '@medplum/fhirtypes';
import { MongoClient, type Collection, type Db, type TransactionOptions } from 'mongodb';
import type { SearchPlan } from '../../search/plan';
import type {
  DeleteResult,
  HistoryPage,
  HistoryQuery,
  ResourceIndexer,
  ResourceStore,
  ResourceVersion,
  SearchPage,
  StoreOperations,
  UpdateResult,
  WriteOptions,
} from '../port';
import { collections, type CurrentDocument, type VersionDocument } from './documents';
import { ensureIndexes } from './indexes';
import { MongoOperations } from './mongo-operations';

export interface MongoStoreOptions {
  /** A mongodb:// or mongodb+srv:// connection string naming a replica set (transactions need one). */
  url: string;
  /** The database holding the store's collections. */
  database: string;
  /** Extracts the search index entries written with each current version. */
  indexer: ResourceIndexer;
}

/**
 * Snapshot reads inside a transaction, majority writes: a committed write survives the loss of the
 * primary, as FHIR_SQLITE_SYNCHRONOUS=FULL survives power loss. Reads go to the primary, so a client
 * reads its own writes.
 */
const transactionOptions: TransactionOptions = {
  readConcern: { level: 'snapshot' },
  writeConcern: { w: 'majority' },
  readPreference: 'primary',
};

/** Connects, creates the indexes (idempotent) and returns the store; a server that cannot be reached fails here. */
export async function openMongoStore(options: MongoStoreOptions): Promise<ResourceStore & MongoReferrers> {
  const client = new MongoClient(options.url, { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const db = client.db(options.database);
    await ensureIndexes(db);
    return new MongoStore(client, db, options.indexer);
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Referential integrity's question, answered from the reference index (see the pipeline's port addition). */
export interface MongoReferrers {
  referrers(target: { resourceType: string; id: string }, options: { limit: number; excludeTypes?: readonly string[] }): Promise<{ resourceType: string; id: string }[]>;
}

class MongoStore implements ResourceStore, MongoReferrers {
  private readonly current: Collection<CurrentDocument>;
  private readonly versions: Collection<VersionDocument>;
  private readonly reads: MongoOperations;

  constructor(
    private readonly client: MongoClient,
    db: Db,
    private readonly indexer: ResourceIndexer
  ) {
    this.current = db.collection<CurrentDocument>(collections.current);
    this.versions = db.collection<VersionDocument>(collections.history);
    this.reads = new MongoOperations(this.current, this.versions, indexer);
  }

  /**
   * Runs `work` in one transaction. On a transient error (a write conflict with a concurrent
   * transaction) the driver aborts and runs `work` again from the start, so `work` must do nothing
   * but store operations that it can repeat.
   */
  async transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    const session = this.client.startSession();
    try {
      return await session.withTransaction(
        () => work(new MongoOperations(this.current, this.versions, this.indexer, session)),
        transactionOptions
      );
    } finally {
      await session.endSession();
    }
  }

  create<T extends Resource>(resource: T): Promise<ResourceVersion<T>> {
    return this.transaction((tx) => tx.create(resource));
  }

  update<T extends Resource>(resource: T, options?: WriteOptions): Promise<UpdateResult> {
    return this.transaction((tx) => tx.update(resource, options));
  }

  delete(resourceType: string, id: string, options?: WriteOptions): Promise<DeleteResult> {
    return this.transaction((tx) => tx.delete(resourceType, id, options));
  }

  readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    return this.reads.readCurrent(resourceType, id);
  }

  readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    return this.reads.readVersion(resourceType, id, versionId);
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.reads.history(query);
  }

  search(plan: SearchPlan): Promise<SearchPage> {
    return this.reads.search(plan);
  }

  referrers(target: { resourceType: string; id: string }, options: { limit: number; excludeTypes?: readonly string[] }): Promise<{ resourceType: string; id: string }[]> {
    return this.reads.referrers(target, options);
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
