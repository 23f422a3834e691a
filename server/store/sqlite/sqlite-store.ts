// The embedded store on node:sqlite in WAL mode. One connection writes (one transaction at a time,
// queued); another reads, so a request never sees a transaction that is still open. Several processes
// may share the file: BEGIN IMMEDIATE takes SQLite's write lock, and the busy timeout waits for it.
import type { Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
import { SerialQueue } from '../serial-queue';
import { migrate } from './schema';
import { ParamIds } from './param-ids';
import { SqliteOperations } from './sqlite-operations';
import { StatementCache } from './statement-cache';

export interface SqliteStoreOptions {
  /** A file path, or ':memory:' for a private in-memory database. */
  file: string;
  synchronous: 'FULL' | 'NORMAL';
  /** How long a write waits for another process's write lock before failing, in ms. */
  busyTimeoutMs?: number;
  /** Extracts the search index entries written with each current version. */
  indexer: ResourceIndexer;
}

export class SqliteStore implements ResourceStore {
  private readonly writer: DatabaseSync;
  private readonly reader: DatabaseSync;
  private readonly queue = new SerialQueue();
  private readonly readOps: SqliteOperations;
  private readonly txOps: SqliteOperations;
  /** In memory there is only one connection, so reads wait behind open transactions as writes do. */
  private readonly readsQueued: boolean;

  constructor(options: SqliteStoreOptions) {
    const inMemory = options.file === ':memory:';
    if (!inMemory) {
      fs.mkdirSync(path.dirname(options.file), { recursive: true });
    }
    const timeout = options.busyTimeoutMs ?? 10_000;
    this.writer = new DatabaseSync(options.file, { timeout });
    configure(this.writer, options.synchronous, inMemory);
    migrate(this.writer);
    this.reader = inMemory ? this.writer : new DatabaseSync(options.file, { timeout });
    if (!inMemory) {
      configure(this.reader, options.synchronous, false);
    }
    this.readsQueued = inMemory;
    const writes = new StatementCache(this.writer);
    const paramIds = new ParamIds();
    this.txOps = new SqliteOperations(writes, writes, options.indexer, paramIds);
    this.readOps = new SqliteOperations(inMemory ? writes : new StatementCache(this.reader), writes, options.indexer, paramIds);
  }

  async transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    return this.queue.run(async () => {
      this.writer.exec('BEGIN IMMEDIATE');
      try {
        const result = await work(this.txOps);
        this.writer.exec('COMMIT');
        return result;
      } catch (err) {
        if (this.writer.isTransaction) {
          this.writer.exec('ROLLBACK');
        }
        throw err;
      }
    });
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
    return this.read(() => this.readOps.readCurrent(resourceType, id));
  }

  readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    return this.read(() => this.readOps.readVersion(resourceType, id, versionId));
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.read(() => this.readOps.history(query));
  }

  search(plan: SearchPlan): Promise<SearchPage> {
    return this.read(() => this.readOps.search(plan));
  }

  async close(): Promise<void> {
    // Wait for queued transactions, then close; the WAL is checkpointed by SQLite on last close.
    await this.queue.run(() => undefined);
    if (this.reader !== this.writer) {
      this.reader.close();
    }
    this.writer.close();
  }

  private read<T>(job: () => Promise<T>): Promise<T> {
    return this.readsQueued ? this.queue.run(job) : job();
  }
}

function configure(db: DatabaseSync, synchronous: 'FULL' | 'NORMAL', inMemory: boolean): void {
  if (!inMemory) {
    db.exec('PRAGMA journal_mode = WAL');
  }
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec('PRAGMA cache_size = -65536'); // 64 MiB of page cache per connection
}
