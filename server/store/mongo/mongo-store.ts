// The MongoDB store: a replica set (or a sharded cluster) through the official driver. Every write runs
// in a multi-document transaction (the new version, the previous version's end and the current
// document commit together), and `session.withTransaction` retries the whole unit on MongoDB's
// transient transaction errors (a write conflict with a concurrent transaction, a primary election).
// https://www.mongodb.com/docs/manual/core/transactions/
import { MongoClient, type ClientSession, type Collection, type TransactionOptions } from 'mongodb';
import type { CohortQuery, CohortRow } from '../cohort-port';
import type { SearchPlan } from '../../search/plan';
import { TransactionalWrites } from '../transactional-writes';
import type {
  AuditArchiveBoundary,
  ChainQuery,
  ChainRecord,
  HistoryPage,
  HistoryQuery,
  ReferrersQuery,
  ResourceIndexer,
  ResourceRef,
  ResourceStore,
  ResourceVersion,
  SearchPage,
  StoreOperations,
} from '../port';
import type { AuthStore } from '../auth-port';
import { authCollections, ensureAuthIndexes, type AuthCollections } from './auth-collections';
import { collections, type AuditArchiveDocument, type CurrentDocument, type VersionDocument } from './documents';
import { ensureIndexes, storeNewestDates } from './indexes';
import { MongoAuthStore } from './mongo-auth-store';
import { MongoOperations } from './mongo-operations';
import { moveStoredAuditEvents, type AuditEventDocument } from './audit-events';

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
export async function openMongoStore(options: MongoStoreOptions): Promise<ResourceStore> {
  // An unreachable server fails start-up after 10 s, unless the connection string sets its own timeout.
  const client = new MongoClient(options.url, /serverSelectionTimeoutMS=/i.test(options.url) ? {} : { serverSelectionTimeoutMS: 10_000 });
  await client.connect();
  try {
    const db = client.db(options.database);
    await ensureIndexes(db);
    await moveStoredAuditEvents(db.collection(collections.current), db.collection(collections.history), db.collection(collections.auditEvents));
    await storeNewestDates(db.collection(collections.current));
    await storeNewestDates(db.collection(collections.auditEvents));
    const auth = authCollections(db);
    await ensureAuthIndexes(auth);
    const transactions: TransactionRunner = async (work) => {
      const session = client.startSession();
      try {
        return await session.withTransaction(() => work(session), transactionOptions);
      } finally {
        await session.endSession();
      }
    };
    return new MongoStore(
      {
        current: db.collection(collections.current),
        versions: db.collection(collections.history),
        auditArchive: db.collection(collections.auditArchive),
        auditEvents: db.collection(collections.auditEvents),
        auth,
        transactions,
        close: () => client.close(),
      },
      options.indexer
    );
  } catch (err) {
    await client.close();
    throw err;
  }
}

/** Runs `work` in one transaction of a new session, re-running it on transient transaction errors. */
export type TransactionRunner = <T>(work: (session: ClientSession) => Promise<T>) => Promise<T>;

/** Where the store keeps its documents and how it runs transactions: a database, or a stand-in in the tests. */
export interface MongoStoreBackend {
  current: Collection<CurrentDocument>;
  versions: Collection<VersionDocument>;
  /** Where archived AuditEvents end (documents.ts). */
  auditArchive: Collection<AuditArchiveDocument>;
  /** AuditEvents, one document each (audit-events.ts). */
  auditEvents: Collection<AuditEventDocument>;
  /** The authorization server's state (auth-collections.ts). */
  auth: AuthCollections;
  transactions: TransactionRunner;
  close(): Promise<void>;
}

export class MongoStore extends TransactionalWrites implements ResourceStore {
  private readonly reads: MongoOperations;
  private auth?: AuthStore;

  constructor(
    private readonly backend: MongoStoreBackend,
    private readonly indexer: ResourceIndexer
  ) {
    super();
    this.reads = new MongoOperations(backend.current, backend.versions, indexer, undefined, backend.auditArchive, backend.auditEvents);
  }

  /**
   * Runs `work` in one transaction. On a transient error (a write conflict with a concurrent
   * transaction) the driver aborts and runs `work` again from the start, so `work` must do nothing
   * but store operations that it can repeat.
   */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    return this.backend.transactions((session) => work(this.operations(session)));
  }

  purgeAuditEvents(boundary: AuditArchiveBoundary): Promise<number> {
    return this.backend.transactions((session) => this.operations(session).purgeAuditEvents(boundary));
  }

  private operations(session: ClientSession): MongoOperations {
    return new MongoOperations(this.backend.current, this.backend.versions, this.indexer, session, this.backend.auditArchive, this.backend.auditEvents);
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

  referrers(target: ResourceRef, query: ReferrersQuery): Promise<ResourceRef[]> {
    return this.reads.referrers(target, query);
  }

  chainRecords(query: ChainQuery): Promise<ChainRecord[]> {
    return this.reads.chainRecords(query);
  }

  newestPosition(): Promise<string> {
    return this.reads.newestPosition();
  }

  cohort(query: CohortQuery): Promise<CohortRow[]> {
    return this.reads.cohort(query);
  }

  async changeMarker(resourceTypes: readonly string[]): Promise<string> {
    return String(await this.reads.versionCount(resourceTypes));
  }

  /** The authorization server's state, in the same database; every process serving it shares it. */
  authStore(): AuthStore {
    this.auth ??= new MongoAuthStore(this.backend.auth);
    return this.auth;
  }

  close(): Promise<void> {
    return this.backend.close();
  }
}
