// The embedded store on node:sqlite in WAL mode. One connection writes; another reads, so a request
// never sees a transaction that is still open. Writes that arrive while one is under way are committed
// together (group commit): each runs in its own savepoint, so each still succeeds or fails alone, but
// they share one SQLite commit, which is most of a small write's cost. Several processes may share the
// file: BEGIN IMMEDIATE takes SQLite's write lock, and the busy timeout waits for it. On a file, the
// reads whose cost grows with the data (searches, history) run on a pool of read threads, each with its
// own connection (read-pool/), so that they never hold up the server's event loop.
import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
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
import { purgeAuditEvents } from './audit-archive-sql';
import { registerAuditText } from './audit-packed-text';
import { deferLookupIndexes, rebuildDeferredIndexes } from './bulk-load';
import { migrate } from './schema';
import { ParamIds } from './param-ids';
import type { PooledRead, ReadArgs, ReadResult, ReadThreadSetup } from './read-pool/read-calls';
import { ReadPool } from './read-pool/read-pool';
import type { ValidationAnswer, ValidationRequest } from '../../validation/offloaded-validation';
import { SqliteAuthStore } from './sqlite-auth-store';
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
  /** SQLite's page cache of the writing connection, in MiB (64 unless given). */
  cacheMiB?: number;
  /**
   * SQLite's page cache of each reading connection (this thread's reader, each read thread's), in MiB
   * (16 unless given): every connection has its own, and all count in the process's resident memory,
   * while the operating system's file cache, shared by all, keeps the pages they drop
   * (docs/performance.md, "Memory").
   */
  readCacheMiB?: number;
  /**
   * Most read threads (read-pool/); 0 runs every read on this thread. Absent: one per core. An in-memory
   * database cannot be opened by another thread: it always reads here.
   */
  readThreads?: number;
  /** A module each read thread runs on its connection (tests register SQL functions with it). */
  readThreadSetup?: ReadThreadSetup;
  /** How many recent AuditEvent lookup entries are merged at once (audit-event-table.ts); tests vary it. */
  auditLookupMergeEntries?: number;
}

interface PendingJob {
  work: (tx: StoreOperations) => Promise<unknown>;
  resolve: (value: unknown) => void;
  reject: (reason: unknown) => void;
}

/** At most this many writes share one commit, so that one commit never holds the lock for long. */
const maxGroup = 64;

/** The longest pause between two tries for the write lock (they start at 1 ms and double). */
const maxLockWaitStepMs = 8;

/** SQLITE_BUSY, or one of its extended codes: another connection holds the lock. */
function isBusy(err: unknown): boolean {
  const code = (err as { errcode?: unknown } | null)?.errcode;
  return typeof code === 'number' && (code & 0xff) === 5;
}

export class SqliteStore extends TransactionalWrites implements ResourceStore {
  private readonly writer: DatabaseSync;
  private readonly reader: DatabaseSync;
  private pending: PendingJob[] = [];
  private draining: Promise<void> | undefined;
  private readonly paramIds = new ParamIds();
  private readonly readOps: SqliteOperations;
  private readonly txOps: SqliteOperations;
  /** In memory there is only one connection, so reads wait behind open transactions as writes do. */
  private readonly readsQueued: boolean;
  /** Set while a transaction's work runs, so that reads it makes through the store itself do not wait for it. */
  private readonly insideTransaction = new AsyncLocalStorage<boolean>();
  private readonly writes: StatementCache;
  private readonly reads: StatementCache;
  private auth: SqliteAuthStore | undefined;
  private readonly pool: ReadPool | undefined;
  /** How long a group waits for the write lock that another connection holds before it fails, in ms. */
  private readonly lockTimeoutMs: number;

  constructor(options: SqliteStoreOptions) {
    super();
    const inMemory = options.file === ':memory:';
    if (!inMemory) {
      fs.mkdirSync(path.dirname(options.file), { recursive: true });
    }
    const timeout = options.busyTimeoutMs ?? 10_000;
    this.writer = new DatabaseSync(options.file, { timeout });
    configure(this.writer, options.synchronous, inMemory, options.cacheMiB ?? 64);
    migrate(this.writer);
    // A bulk load that stopped half-way left its lookup indexes to be built: build them before serving.
    rebuildDeferredIndexes(this.writer);
    // From here on the write lock is waited for between turns of the event loop (beginWrite), not inside
    // SQLite's busy handler, which sleeps on this thread: while the audit writer or another process
    // commits, reads and requests go on instead of stopping for the 1-2-5-10 ms of its sleeps.
    this.lockTimeoutMs = timeout;
    this.writer.exec('PRAGMA busy_timeout = 0');
    this.reader = inMemory ? this.writer : new DatabaseSync(options.file, { timeout });
    const readCacheMiB = options.readCacheMiB ?? 16;
    if (!inMemory) {
      configure(this.reader, options.synchronous, false, readCacheMiB);
    }
    this.readsQueued = inMemory;
    const writes = new StatementCache(this.writer);
    this.writes = writes;
    this.reads = inMemory ? writes : new StatementCache(this.reader);
    this.txOps = new SqliteOperations(writes, writes, options.indexer, this.paramIds, 'parse', options.auditLookupMergeEntries);
    this.readOps = new SqliteOperations(this.reads, writes, options.indexer, this.paramIds, 'lazy');
    const threads = options.readThreads ?? os.availableParallelism();
    if (!inMemory && threads > 0) {
      const indexing = options.indexer.split?.definition;
      this.pool = new ReadPool({ file: options.file, busyTimeoutMs: timeout, cacheMiB: readCacheMiB, indexing, setup: options.readThreadSetup }, threads);
    }
  }

  /** The authorization server's state, in the same file; its writes join the write queue. */
  authStore(): AuthStore {
    this.auth ??= new SqliteAuthStore((work) => this.transaction(async () => work(this.writes)), this.reads);
    return this.auth;
  }

  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ work, resolve: resolve as (value: unknown) => void, reject });
      this.draining ??= this.drain();
    });
  }

  /** Commits the waiting jobs in groups until none wait. */
  private async drain(): Promise<void> {
    // Start after the requests already read from the network have queued their writes, so that they
    // share this commit instead of each waiting for its own.
    await new Promise((resolve) => setImmediate(resolve));
    try {
      while (this.pending.length) {
        let began: unknown;
        try {
          await this.beginWrite();
        } catch (err) {
          began = err;
        }
        // Taken once the lock is held, so that the writes queued while it was waited for share the commit.
        const group = this.pending.splice(0, maxGroup);
        if (began === undefined) {
          await this.commitGroup(group);
        } else {
          group.forEach((job) => job.reject(began));
        }
      }
    } finally {
      // Cleared in the same step as the last look at `pending`, so a job queued after it starts a new drain.
      this.draining = undefined;
    }
  }

  /**
   * BEGIN IMMEDIATE, retried on a timer while another connection holds the write lock (SQLITE_BUSY),
   * for as long as the busy timeout; then its error, as SQLite's own busy handler would give it.
   */
  private async beginWrite(): Promise<void> {
    const started = Date.now();
    for (let wait = 1; ; wait = Math.min(wait * 2, maxLockWaitStepMs)) {
      try {
        this.writer.exec('BEGIN IMMEDIATE');
        return;
      } catch (err) {
        if (!isBusy(err) || Date.now() - started >= this.lockTimeoutMs) {
          throw err;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  /** Runs the group's jobs in the transaction beginWrite opened, and commits them together. */
  private async commitGroup(group: PendingJob[]): Promise<void> {
    const outcomes: { job: PendingJob; ok: boolean; value: unknown }[] = [];
    for (const job of group) {
      const mark = this.paramIds.mark();
      this.writer.exec('SAVEPOINT job');
      try {
        const value = await this.insideTransaction.run(true, () => job.work(this.txOps));
        this.writer.exec('RELEASE job');
        outcomes.push({ job, ok: true, value });
      } catch (err) {
        this.writer.exec('ROLLBACK TO job');
        this.writer.exec('RELEASE job');
        this.paramIds.rollbackTo(mark);
        outcomes.push({ job, ok: false, value: err });
      }
    }
    try {
      this.writer.exec('COMMIT');
      this.paramIds.committed();
    } catch (err) {
      // Nothing of the group is durable: every job fails, even those whose own work succeeded.
      if (this.writer.isTransaction) {
        this.writer.exec('ROLLBACK');
      }
      this.paramIds.rollbackTo(0);
      group.forEach((job) => job.reject(err));
      return;
    }
    for (const { job, ok, value } of outcomes) {
      if (ok) {
        job.resolve(value);
      } else {
        job.reject(value);
      }
    }
  }

  readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    return this.read(() => this.readOps.readCurrent(resourceType, id));
  }

  readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    return this.read(() => this.readOps.readVersion(resourceType, id, versionId));
  }

  history(query: HistoryQuery): Promise<HistoryPage> {
    return this.pooled('history', [query]);
  }

  search(plan: SearchPlan): Promise<SearchPage> {
    return this.pooled('search', [plan]);
  }

  referrers(target: ResourceRef, query: ReferrersQuery): Promise<ResourceRef[]> {
    return this.pooled('referrers', [target, query]);
  }

  chainRecords(query: ChainQuery): Promise<ChainRecord[]> {
    return this.pooled('chainRecords', [query]);
  }

  newestPosition(): Promise<string> {
    return this.read(() => this.readOps.newestPosition());
  }

  cohort(query: CohortQuery): Promise<CohortRow[]> {
    return this.pooled('cohort', [query]);
  }

  /**
   * The newest version's seq among the types: seq grows with every version committed, by any process
   * (SQLite serializes writers, and a rolled-back row is never seen), and one max per type is a single
   * step down the (resource_type, seq) index.
   */
  changeMarker(resourceTypes: readonly string[]): Promise<string> {
    return this.read(async () => this.readOps.newestSeq(resourceTypes));
  }

  /**
   * `PRAGMA data_version` of the read connection: it changes when another connection (this process's
   * writer, an audit writer, another process) commits, one statement whatever the data's size
   * (https://www.sqlite.org/pragma.html#pragma_data_version). In memory the one connection's own commits
   * leave it unchanged, so there is no reading.
   */
  commitReading(): number | undefined {
    return this.readsQueued ? undefined : (this.reads.get('PRAGMA data_version').get() as { data_version: number }).data_version;
  }

  /** On a read thread (validate-calls.ts); without the pool there is no thread to run it on. */
  async validateOffThread(request: ValidationRequest): Promise<ValidationAnswer | undefined> {
    return this.pool?.validate(request);
  }

  purgeAuditEvents(boundary: AuditArchiveBoundary): Promise<number> {
    return this.transaction(async () => purgeAuditEvents(this.writes, boundary));
  }

  /**
   * Runs `work` (writes through this store) with the search tables' lookup indexes set aside and built
   * again at the end: for loading many resources into a store no one else uses meanwhile.
   */
  async bulkLoad<T>(work: () => Promise<T>): Promise<T> {
    await this.draining;
    this.waitingInSqlite(() => deferLookupIndexes(this.writer));
    try {
      return await work();
    } finally {
      await this.draining;
      this.waitingInSqlite(() => rebuildDeferredIndexes(this.writer));
    }
  }

  /** Runs statements outside beginWrite's transactions with SQLite's own busy wait, as at start-up. */
  private waitingInSqlite(statements: () => void): void {
    this.writer.exec(`PRAGMA busy_timeout = ${this.lockTimeoutMs}`);
    try {
      statements();
    } finally {
      this.writer.exec('PRAGMA busy_timeout = 0');
    }
  }

  async close(): Promise<void> {
    // Wait for queued transactions and the read threads, then close; the WAL is checkpointed by SQLite
    // on the last close.
    await this.draining;
    await this.pool?.close();
    if (this.reader !== this.writer) {
      this.reader.close();
    }
    this.writer.close();
  }

  /** A read the pool answers when there is one; here otherwise. */
  private pooled<M extends PooledRead>(method: M, args: ReadArgs<M>): Promise<ReadResult<M>> {
    if (this.pool) {
      return this.pool.call(method, args);
    }
    const read = this.readOps[method] as (...a: ReadArgs<M>) => Promise<ReadResult<M>>;
    return this.read(() => read.apply(this.readOps, args));
  }

  private read<T>(job: () => Promise<T>): Promise<T> {
    // In memory a read shares the writer's connection, so it waits its turn like a write; but one made
    // from inside a transaction's work (the terminology reading a ValueSet for a conditional create's
    // :in criteria) would wait for itself, so it runs at once and sees the transaction's writes.
    // Still, in memory, a transaction that awaits a read queued from outside it (a terminology cache
    // entry another request began loading at the same moment) waits for ever; on a file, reads never queue.
    return this.readsQueued && !this.insideTransaction.getStore() ? this.transaction(() => job()) : job();
  }
}

function configure(db: DatabaseSync, synchronous: 'FULL' | 'NORMAL', inMemory: boolean, cacheMiB: number): void {
  if (!inMemory) {
    db.exec('PRAGMA journal_mode = WAL');
  }
  db.exec(`PRAGMA synchronous = ${synchronous}`);
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec(`PRAGMA cache_size = -${cacheMiB * 1024}`); // in KiB when negative
  db.exec('PRAGMA wal_autocheckpoint = 10000'); // checkpoint every ~40 MiB of WAL, not every 4 MiB
  registerAuditText(db);
}
