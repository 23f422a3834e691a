// While another connection (the audit writer's thread, another process) holds SQLite's write lock, a
// write waits for it between turns of the event loop, so that the server's other requests go on; it
// still fails with SQLite's busy error once the busy timeout has passed.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { openSqliteStore, type EmbeddedStore } from '../../../server/store/adapters';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { patient } from '../../helpers/fixtures';
import { testRegistry } from '../../helpers/test-server';

describe('SQLite store: waiting for the write lock', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  let store: EmbeddedStore;
  let other: DatabaseSync;

  const open = (busyTimeoutMs?: number): EmbeddedStore =>
    openSqliteStore({ file, synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 0, busyTimeoutMs });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-write-lock-'));
    file = path.join(dir, 'fhir.sqlite');
  });
  afterEach(async () => {
    if (other?.isTransaction) {
      other.exec('ROLLBACK');
    }
    other?.close();
    await store?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('keeps the event loop turning while the lock is held, and writes once it is released', async () => {
    store = open();
    await store.update(patient({ id: 'before' }));
    other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    let settled = false;
    const write = store.update(patient({ id: 'waiting' })).finally(() => {
      settled = true;
    });
    // A timer and a read complete meanwhile: SQLite's own busy handler would sleep on this thread
    // until its timeout (10 s) and then fail the write.
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal((await store.readCurrent('Patient', 'before'))?.id, 'before');
    assert.equal(settled, false, 'the write waits for the lock');
    other.exec('COMMIT');
    const written = await write;
    assert.equal(written.version.id, 'waiting');
    assert.equal((await store.readCurrent('Patient', 'waiting'))?.versionId, '1');
  });

  it('writes queued while the lock is waited for share the commit that follows', async () => {
    store = open();
    other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    const writes = [store.update(patient({ id: 'a' }))];
    await new Promise((resolve) => setTimeout(resolve, 50));
    writes.push(store.update(patient({ id: 'b' })), store.update(patient({ id: 'c' })));
    other.exec('COMMIT');
    const before = (other.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    await Promise.all(writes);
    const after = (other.prepare('PRAGMA data_version').get() as { data_version: number }).data_version;
    // One commit by another connection moves data_version by one, whatever it wrote.
    assert.equal(after - before, 1);
  });

  it("fails a write with SQLite's busy error once the busy timeout has passed, and writes again afterwards", async () => {
    store = open(200);
    other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    const started = Date.now();
    await assert.rejects(store.update(patient({ id: 'refused' })), (err: Error & { errcode?: number }) => (err.errcode! & 0xff) === 5);
    assert.ok(Date.now() - started >= 200, 'waited for the timeout');
    assert.equal(await store.readCurrent('Patient', 'refused'), undefined);
    other.exec('ROLLBACK');
    assert.equal((await store.update(patient({ id: 'after' }))).version.versionId, '1');
  });
});
