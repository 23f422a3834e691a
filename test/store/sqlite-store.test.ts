import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { schemaVersion } from '../../server/store/sqlite/schema';
import { createTestServer, fileStore } from '../helpers/test-server';
import { patient } from '../helpers/fixtures';
import { describeStoreContract } from './store-contract';


describe('SQLite store on a file', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-sqlite-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describeStoreContract('SQLite file (WAL)', async (indexer) => fileStore(path.join(dir, `${Math.random()}.sqlite`), 'NORMAL', indexer));

  it('creates the schema in WAL mode and reopens an existing file without migrating again', async () => {
    const file = path.join(dir, 'nested', 'fhir.sqlite');
    const store = fileStore(file, 'FULL');
    await store.create(patient({ id: 'p1' }));
    await store.close();
    const reopened = fileStore(file, 'FULL');
    assert.equal((await reopened.readCurrent('Patient', 'p1'))?.versionId, '1');
    await reopened.close();
    const raw = new DatabaseSync(file);
    assert.equal((raw.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode, 'wal');
    assert.equal((raw.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, schemaVersion);
    raw.close();
  });

  it('refuses a file whose schema is newer than this server, saying what to do', () => {
    const file = path.join(dir, 'future.sqlite');
    const raw = new DatabaseSync(file);
    raw.exec(`PRAGMA user_version = ${schemaVersion + 1}`);
    raw.close();
    assert.throws(() => fileStore(file, 'FULL'), /newer than this server knows.*FHIR_DB/);
  });

  it('forgets the search parameter ids of a rolled-back transaction, so they are never given twice', async () => {
    const file = path.join(dir, 'params.sqlite');
    const flag = (id: string) =>
      ({ resourceType: 'Flag', id, status: 'active', code: { text: 'x' }, subject: { reference: 'Patient/p' } }) as const;
    const store = fileStore(file);
    await assert.rejects(
      store.transaction(async (tx) => {
        await tx.create(flag('first'));
        throw new Error('roll back');
      })
    );
    // New parameters of another type take the ids the rollback freed.
    await store.create({
      resourceType: 'Basic',
      id: 'b',
      code: { coding: [{ system: 'urn:x', code: 'y' }] },
      subject: { reference: 'Patient/p' },
      created: '2026-01-01',
      author: { reference: 'Practitioner/d' },
      identifier: [{ system: 'urn:x', value: '1' }],
    });
    await store.create(flag('second'));
    await store.close();
    const server = createTestServer({ store: fileStore(file) });
    const found = await server.http.get('/Flag?subject=Patient/p');
    assert.deepEqual(found.body.entry.map((e: { resource: { id: string } }) => e.resource.id), ['second']);
    const basics = await server.http.get('/Basic?subject=Patient/p');
    assert.deepEqual(basics.body.entry.map((e: { resource: { id: string } }) => e.resource.id), ['b']);
    await server.close();
  });

  it('does not show a transaction that is still open to readers', async () => {
    const store = fileStore(path.join(dir, 'isolation.sqlite'), 'NORMAL');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const tx = store.transaction(async (t) => {
      await t.create(patient({ id: 'pending' }));
      await gate;
    });
    await new Promise((r) => setTimeout(r, 5));
    assert.equal(await store.readCurrent('Patient', 'pending'), undefined);
    release();
    await tx;
    assert.equal((await store.readCurrent('Patient', 'pending'))?.versionId, '1');
    await store.close();
  });
});
