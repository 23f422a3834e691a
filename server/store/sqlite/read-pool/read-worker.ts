// A read thread of the SQLite store: its own read-only connection to the store's file (WAL lets readers
// run beside the writer and each other, https://www.sqlite.org/wal.html), answering the reads the pool
// (read-pool.ts) sends, one at a time, each in a read transaction of its own that ends before the reply:
// one consistent snapshot per read, and the next read sees every write committed before it was sent. It
// also checks Bundle entries for the writer (validate-calls.ts).
import { DatabaseSync } from 'node:sqlite';
import { parentPort, workerData } from 'node:worker_threads';
import type { ResourceIndexer } from '../../port';
import { ParamIds } from '../param-ids';
import { SqliteOperations } from '../sqlite-operations';
import { StatementCache } from '../statement-cache';
import type { ValidationRequest } from '../../../validation/offloaded-validation';
import { toWireError, type ReadReply, type ReadRequest, type ReadThreadData } from './read-calls';
import { threadValidation, validateCall } from './validate-calls';
import { registerAuditText } from '../audit-packed-text';

const refuseWrites: ResourceIndexer = () => {
  throw new Error('a read thread of the store never writes');
};

function run(): void {
  const port = parentPort;
  if (!port) {
    throw new Error('read-worker.js runs as a worker thread of the store');
  }
  const options = workerData as ReadThreadData;
  const db = new DatabaseSync(options.file, { readOnly: true, timeout: options.busyTimeoutMs });
  // WAL mode is the file's own (the writer set it); the page cache and temporary tables are per connection.
  db.exec('PRAGMA temp_store = MEMORY');
  db.exec(`PRAGMA cache_size = -${options.cacheMiB * 1024}`); // in KiB when negative
  registerAuditText(db);
  if (options.setup) {
    const setup = require(options.setup.module) as { setupReadConnection(db: DatabaseSync, data: unknown): void };
    setup.setupReadConnection(db, options.setup.data);
  }
  const reads = new StatementCache(db);
  const operations = new SqliteOperations(reads, reads, refuseWrites, new ParamIds(), 'text');
  const validate = threadValidation(operations, options.indexing);
  // One request at a time, in the order sent: a read's transaction never overlaps another's.
  let previous = Promise.resolve();
  port.on('message', (request: ReadRequest) => {
    previous = previous.then(async () => {
      if ('close' in request) {
        db.close();
        port.close();
        return;
      }
      port.postMessage(await answer(db, operations, validate, request));
    });
  });
}

/** Runs one read inside a read transaction of its own, ended before the reply. */
async function answer(
  db: DatabaseSync,
  operations: SqliteOperations,
  validate: (request: ValidationRequest) => Promise<unknown>,
  request: Extract<ReadRequest, { id: number }>
): Promise<ReadReply> {
  db.exec('BEGIN');
  try {
    if (request.method === validateCall) {
      return { id: request.id, ok: true, value: await validate(request.args[0] as ValidationRequest) };
    }
    const method = operations[request.method] as (...args: unknown[]) => Promise<unknown>;
    return { id: request.id, ok: true, value: await method.apply(operations, request.args) };
  } catch (err) {
    return { id: request.id, ok: false, error: toWireError(err) };
  } finally {
    db.exec('COMMIT');
  }
}

run();
