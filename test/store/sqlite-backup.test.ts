// Online backup while the server writes, and restore with the server stopped, through the commands the
// docs give (npm run backup / restore run dist/server/store-backup.js).
import type { Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServerProcess, type ServerProcess } from '../../bench/server-process';
import { checkStoreFile } from '../../server/store/sqlite/backup';
import { patient } from '../helpers/fixtures';

const run = promisify(execFile);
const cli = path.resolve(__dirname, '../../server/store-backup.js');
const json = { 'Content-Type': 'application/fhir+json' };

async function storeCommand(command: 'backup' | 'restore', file: string, db: string): Promise<{ resources: number; versions: number }> {
  const { stdout } = await run(process.execPath, [cli, command, file], { env: { ...process.env, FHIR_DB: db } });
  const result = JSON.parse(stdout) as Record<string, { resources: number; versions: number }>;
  return result.backedUp ?? result.restored;
}

describe('SQLite backup and restore', function () {
  this.timeout(60_000);
  let dir: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-backup-'));
  });
  afterEach(async () => {
    await server?.kill();
    server = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('backs up a serving store under concurrent writes, and restores it with every write acknowledged before the backup', async () => {
    const db = path.join(dir, 'fhir.sqlite');
    server = await startServerProcess({ FHIR_DB: db });
    const base = server.baseUrl;
    const acknowledged: { id: string; at: number }[] = [];
    let writing = true;
    const writer = async (): Promise<void> => {
      while (writing) {
        const res = await fetch(`${base}/Patient`, { method: 'POST', headers: json, body: JSON.stringify(patient()) });
        assert.equal(res.status, 201);
        acknowledged.push({ id: ((await res.json()) as Patient).id!, at: Date.now() });
      }
    };
    const writers = [writer(), writer(), writer()];
    while (acknowledged.length < 50) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const backupFile = path.join(dir, 'backup.sqlite');
    const backupStarted = Date.now();
    const backedUp = await storeCommand('backup', backupFile, db);
    const backupEnded = Date.now();
    while (acknowledged.filter((a) => a.at > backupEnded).length < 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    writing = false;
    await Promise.all(writers);
    await server.stop();
    server = undefined;

    const restored = await storeCommand('restore', backupFile, db);
    assert.deepEqual(restored, { ...backedUp, file: db } as typeof restored);
    assert.equal(checkStoreFile(db).resources, backedUp.resources);
    server = await startServerProcess({ FHIR_DB: db });
    const status = async (id: string): Promise<number> => (await fetch(`${server!.baseUrl}/Patient/${id}`)).status;
    for (const write of acknowledged.filter((a) => a.at < backupStarted)) {
      assert.equal(await status(write.id), 200, `${write.id}, acknowledged before the backup began, is restored`);
    }
    for (const write of acknowledged.filter((a) => a.at > backupEnded + 50)) {
      assert.equal(await status(write.id), 404, `${write.id}, written after the backup ended, is not in it`);
    }
  });

  it('refuses to restore a file that is not a sound SQLite store, leaving the store as it was', async () => {
    const db = path.join(dir, 'fhir.sqlite');
    server = await startServerProcess({ FHIR_DB: db });
    await fetch(`${server.baseUrl}/Patient`, { method: 'POST', headers: json, body: JSON.stringify(patient()) });
    await server.stop();
    server = undefined;
    const before = checkStoreFile(db);
    const bogus = path.join(dir, 'bogus.sqlite');
    fs.writeFileSync(bogus, 'not a database');
    await assert.rejects(storeCommand('restore', bogus, db));
    assert.deepEqual(checkStoreFile(db), before);
  });
});
