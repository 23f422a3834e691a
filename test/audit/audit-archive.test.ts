// Archiving old AuditEvents without breaking the chain (server/audit/audit-archive.ts): the export in
// chain order with a signed manifest, the offline check of an archive (and of a tampered one), the purge,
// $verify-history over what is left going on from the archive's last link, a second archive going on from
// the first, and nothing archived when nothing is old enough; on both adapters; and the admin commands.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jwksLookup, keyRingLookup, manifestFileName, type ArchiveManifest } from '../../server/audit/archive-manifest';
import { archiveAuditEvents, verifyArchive } from '../../server/audit/audit-archive';
import { storeWriter } from '../../server/audit/audit-trail';
import { verifyChains } from '../../server/audit/verify-chain';
import { SigningKeyRing } from '../../server/auth/signing-keys';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../server/store/adapters';
import type { ResourceStore } from '../../server/store/port';
import { auditEvent, patient } from '../helpers/fixtures';
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { testRegistry } from '../helpers/test-server';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const issuer = 'https://fhir.example.org';

/** Writes events `ids` as the audit writer does; returns the instant just after them. */
async function writeEvents(store: ResourceStore, ids: string[]): Promise<Date> {
  await storeWriter(store)(ids.map((id) => auditEvent(id)));
  await sleep(5);
  const after = new Date();
  await sleep(5);
  return after;
}

const auditEventIds = async (store: ResourceStore): Promise<string[]> =>
  (await store.chainRecords({ resourceType: 'AuditEvent', limit: 1000 })).map((r) => r.id);

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'audit-archive-'));
}

forEachStoreAdapter((adapter) => {
  describe('archiving AuditEvents', () => {
    let store: ResourceStore;
    let dirs: string[];
    const keys = SigningKeyRing.inMemory();
    beforeEach(async () => {
      store = await adapter.open();
      dirs = [];
    });
    afterEach(async () => {
      await store.close();
      dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    });
    const outDir = (): string => {
      const dir = tempDir();
      dirs.push(dir);
      return path.join(dir, 'archive');
    };

    it('exports the events written before the date in chain order, verifies the archive, purges them, and the chain left verifies from the archive’s last link', async () => {
      await store.create(patient({ id: 'p1' }));
      const cut = await writeEvents(store, ['a1', 'a2', 'a3']);
      await writeEvents(store, ['b1', 'b2']);
      const dir = outDir();
      const result = await archiveAuditEvents(store, keys, issuer, cut, dir);
      assert.ok(result.archived);
      assert.equal(result.manifest.events, 3);
      assert.equal(result.purged, 3);
      assert.equal(result.manifest.first.previousAuditHash, null, 'the first archive starts the chain');
      const lines = fs.readFileSync(path.join(dir, result.manifest.file), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; content: string });
      assert.deepEqual(lines.map((l) => l.id), ['a1', 'a2', 'a3']);
      assert.equal((JSON.parse(lines[0].content) as AuditEvent).resourceType, 'AuditEvent', 'each line holds the stored event exactly');
      const check = verifyArchive(dir, keyRingLookup(keys));
      assert.deepEqual([check.verified, check.events, check.problems], [true, 3, []]);
      assert.deepEqual(verifyArchive(dir, jwksLookup(keys.jwks())).problems, [], 'the JWKS alone verifies it');
      assert.deepEqual(await auditEventIds(store), ['b1', 'b2']);
      assert.equal(await store.readCurrent('AuditEvent', 'a1'), undefined, 'purged, not deleted: no tombstone');
      const [b1] = await store.chainRecords({ resourceType: 'AuditEvent', limit: 1 });
      assert.equal(b1.previousAuditHash, result.manifest.last.auditHash);
      const report = await verifyChains(store, {});
      assert.deepEqual([report.breaks, report.verified, report.versions], [[], 3, 3]);
    });

    it('detects a tampered archive: an edited event, a removed line, a changed manifest, another key', async () => {
      const cut = await writeEvents(store, ['a1', 'a2', 'a3']);
      await store.create(patient({ id: 'p1' }));
      const dir = outDir();
      const result = await archiveAuditEvents(store, keys, issuer, cut, dir);
      assert.ok(result.archived);
      const file = path.join(dir, result.manifest.file);
      const original = fs.readFileSync(file, 'utf8');
      const manifestFile = path.join(dir, manifestFileName);
      const manifest = fs.readFileSync(manifestFile, 'utf8');

      fs.writeFileSync(file, original.replace('"display\\":\\"test\\"', '"display\\":\\"edited\\"'));
      assert.notEqual(fs.readFileSync(file, 'utf8'), original, 'the test edits the event');
      let check = verifyArchive(dir, keyRingLookup(keys));
      assert.equal(check.verified, false);
      assert.ok(check.problems.some((p) => p.includes('SHA-256')));
      assert.ok(check.problems.some((p) => p.includes('AuditEvent/a1') && p.includes('was changed')), check.problems.join('; '));

      const [first, , third] = original.trim().split('\n');
      fs.writeFileSync(file, `${first}\n${third}\n`);
      check = verifyArchive(dir, keyRingLookup(keys));
      assert.ok(check.problems.some((p) => p.includes('chain breaks')), check.problems.join('; '));

      fs.writeFileSync(file, original);
      const edited: ArchiveManifest = { ...(JSON.parse(manifest) as ArchiveManifest), events: 2 };
      fs.writeFileSync(manifestFile, JSON.stringify(edited));
      check = verifyArchive(dir, keyRingLookup(keys));
      assert.ok(check.problems.includes('the manifest differs from what was signed'), check.problems.join('; '));

      fs.writeFileSync(manifestFile, manifest);
      assert.equal(verifyArchive(dir, keyRingLookup(keys)).verified, true, 'restored, it verifies again');
      check = verifyArchive(dir, keyRingLookup(SigningKeyRing.inMemory()));
      assert.ok(check.problems.some((p) => p.includes('not among the keys given')), check.problems.join('; '));
    });

    it('archives twice in sequence: the second archive goes on from the first one’s last link, and so do new events', async () => {
      const firstCut = await writeEvents(store, ['a1', 'a2']);
      const secondCut = await writeEvents(store, ['b1', 'b2']);
      await store.create(patient({ id: 'p1' }));
      const first = await archiveAuditEvents(store, keys, issuer, firstCut, outDir());
      const second = await archiveAuditEvents(store, keys, issuer, secondCut, outDir());
      assert.ok(first.archived && second.archived);
      assert.equal(second.manifest.first.previousAuditHash, first.manifest.last.auditHash);
      assert.equal(verifyArchive(second.directory, keyRingLookup(keys)).verified, true);
      assert.deepEqual(await auditEventIds(store), []);
      // Every event is archived: the next one written chains to the second archive's last link.
      await writeEvents(store, ['c1']);
      const [c1] = await store.chainRecords({ resourceType: 'AuditEvent', limit: 1 });
      assert.equal(c1.previousAuditHash, second.manifest.last.auditHash);
      const report = await verifyChains(store, {});
      assert.deepEqual([report.breaks, report.verified], [[], 2], 'p1 and c1');
    });

    it('never archives the store’s newest version, so that no position is used twice', async () => {
      const cut = await writeEvents(store, ['a1', 'a2']);
      const result = await archiveAuditEvents(store, keys, issuer, cut, outDir());
      assert.ok(result.archived);
      assert.equal(result.manifest.events, 1);
      assert.deepEqual(await auditEventIds(store), ['a2']);
      await writeEvents(store, ['b1']);
      const positions = (await store.chainRecords({ resourceType: 'AuditEvent', limit: 10 })).map((r) => r.position);
      assert.ok(positions.every((p) => p > result.manifest.last.position || p.length > result.manifest.last.position.length));
      assert.deepEqual((await verifyChains(store, {})).breaks, []);
    });

    it('archives nothing, and writes and purges nothing, when no event was written before the date', async () => {
      await writeEvents(store, ['a1']);
      const dir = outDir();
      const result = await archiveAuditEvents(store, keys, issuer, new Date('2000-01-01T00:00:00Z'), dir);
      assert.equal(result.archived, false);
      assert.equal(fs.existsSync(dir), false);
      assert.deepEqual(await auditEventIds(store), ['a1']);
    });

    it('refuses to archive over a broken chain, purging nothing', async () => {
      const cut = await writeEvents(store, ['a1', 'a2']);
      await assert.rejects(
        // The store's purge is told another count than the archive's: it removes nothing.
        store.purgeAuditEvents!({ position: (await store.chainRecords({ resourceType: 'AuditEvent', limit: 1 }))[0].position, auditHash: 'x', events: 5 }),
        /nothing was purged/
      );
      assert.deepEqual(await auditEventIds(store), ['a1', 'a2']);
      const result = await archiveAuditEvents(store, keys, issuer, cut, outDir());
      assert.ok(result.archived, 'the refused purge left the chain whole');
    });
  });
});

describe('the audit-archive and audit-verify-archive admin commands', function () {
  this.timeout(120_000);
  it('archive a store file’s old events and verify the archive offline, exiting 1 for a tampered one', async () => {
    const dataDir = tempDir();
    try {
      const store = openSqliteStore({ file: path.join(dataDir, 'fhir.sqlite'), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()) });
      const cut = await writeEvents(store, ['a1', 'a2']);
      await writeEvents(store, ['b1']);
      await store.close();
      const admin = path.resolve(__dirname, '../../server/admin.js');
      const env = { ...process.env, FHIR_DATA_DIR: dataDir, FHIR_BASE_URL: issuer, LOG_LEVEL: 'silent' };
      const out = path.join(dataDir, 'archive-1');
      const archived = spawnSync(process.execPath, [admin, 'audit-archive', '--before', cut.toISOString(), '--out', out], { env, encoding: 'utf8' });
      assert.equal(archived.status, 0, archived.stderr);
      assert.equal((JSON.parse(archived.stdout) as { archived: number }).archived, 2);
      const verified = spawnSync(process.execPath, [admin, 'audit-verify-archive', out], { env, encoding: 'utf8' });
      assert.equal(verified.status, 0, verified.stdout + verified.stderr);
      assert.equal((JSON.parse(verified.stdout) as { verified: boolean }).verified, true);
      const file = path.join(out, 'audit-events.ndjson');
      fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace('a2', 'a9'));
      const tampered = spawnSync(process.execPath, [admin, 'audit-verify-archive', out], { env, encoding: 'utf8' });
      assert.equal(tampered.status, 1);
      assert.equal((JSON.parse(tampered.stdout) as { verified: boolean }).verified, false);
      const reopened = openSqliteStore({ file: path.join(dataDir, 'fhir.sqlite'), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()) });
      assert.deepEqual(await auditEventIds(reopened), ['b1']);
      assert.deepEqual((await verifyChains(reopened, {})).breaks, []);
      await reopened.close();
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
