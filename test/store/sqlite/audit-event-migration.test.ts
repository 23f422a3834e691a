// SQLite migration 8 (server/store/sqlite/schema.ts): AuditEvents stored as resources by an older server
// (version rows, current rows, generic index rows, the AuditEvent chain) move into the audit table with
// their positions and hashes, so that the chains verify, reads and searches find them, and nothing of
// them is left in the resource tables.
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { auditLink, versionHash } from '../../../server/audit/chain-hash';
import { verifyChains } from '../../../server/audit/verify-chain';
import type { SearchPlan } from '../../../server/search/plan';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { insertIndexRows } from '../../../server/store/sqlite/index-writer';
import { ParamIds } from '../../../server/store/sqlite/param-ids';
import { migrate } from '../../../server/store/sqlite/schema';
import { StatementCache } from '../../../server/store/sqlite/statement-cache';
import { fileStore, testRegistry, testSearchPlan } from '../../helpers/test-server';
import { scratchDir } from '../../helpers/scratch-dir';

const plan = (query: string): SearchPlan =>
  testSearchPlan('AuditEvent', query);

const event = (id: string, patient: string, recorded: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  id,
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read' }],
  action: 'R',
  recorded,
  outcome: '0',
  agent: [{ who: { reference: 'PractitionerRole/dr-1' }, requestor: true }],
  source: { observer: { identifier: { system: 'urn:ietf:rfc:3986', value: 'http://fhir.test' } } },
  entity: [{ what: { reference: `Patient/${patient}` } }],
});

/** Writes a version as the server before migration 8 did: version row, current row, index rows, chain links. */
function writeAsBefore(db: DatabaseSync, statements: StatementCache, paramIds: ParamIds, resource: Resource, seq: number, previousAudit: string | null): string | null {
  const indexer = createResourceIndexer(testRegistry());
  const lastUpdated = Date.parse('2026-12-01T00:00:00Z') + seq;
  const stored = { ...resource, meta: { versionId: '1', lastUpdated: new Date(lastUpdated).toISOString() } };
  const content = JSON.stringify(stored);
  const hash = versionHash(null, { resourceType: resource.resourceType, id: resource.id as string, versionId: 1, lastUpdated, deleted: false, author: null, content });
  const auditHash = resource.resourceType === 'AuditEvent' ? auditLink(previousAudit, hash) : null;
  db.prepare(
    'INSERT INTO resource_versions (seq, resource_type, id, version_id, last_updated, deleted, content, author, hash, audit_hash) VALUES (?, ?, ?, 1, ?, 0, ?, NULL, ?, ?)'
  ).run(seq, resource.resourceType, resource.id as string, lastUpdated, content, hash, auditHash);
  const { key } = db
    .prepare('INSERT INTO resources (resource_type, id, seq, version_id, last_updated, deleted) VALUES (?, ?, ?, 1, ?, 0) RETURNING key')
    .get(resource.resourceType, resource.id as string, seq, lastUpdated) as { key: number };
  insertIndexRows(statements, paramIds, resource.resourceType, key, indexer(stored));
  return auditHash ?? previousAudit;
}

describe('SQLite migration 8: AuditEvents into their own table', function () {
  this.timeout(30_000);
  const dir = scratchDir('audit-migration-', 'test');

  it('moves the stored events with their positions and hashes: the chains verify, reads and searches find them', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const db = new DatabaseSync(file);
    migrate(db, 7);
    // Today's index writer fills the token rows' date (migration 9): the column is there while it writes
    // and gone again below, as a server before migration 8 left the file.
    db.exec('ALTER TABLE idx_token ADD COLUMN date_high INTEGER');
    const statements = new StatementCache(db);
    const paramIds = new ParamIds();
    db.exec('BEGIN');
    let link: string | null = null;
    link = writeAsBefore(db, statements, paramIds, { resourceType: 'Patient', id: 'p1' }, 1, link);
    link = writeAsBefore(db, statements, paramIds, event('a1', 'p1', '2026-12-01T08:00:00Z'), 2, link);
    link = writeAsBefore(db, statements, paramIds, { resourceType: 'Patient', id: 'p2' }, 3, link);
    link = writeAsBefore(db, statements, paramIds, event('a2', 'p2', '2026-12-01T09:00:00Z'), 4, link);
    link = writeAsBefore(db, statements, paramIds, event('a3', 'p1', '2026-12-01T10:00:00Z'), 5, link);
    db.exec('COMMIT');
    db.exec('ALTER TABLE idx_token DROP COLUMN date_high');
    db.close();

    const store = fileStore(file);
    try {
      const check = new DatabaseSync(file);
      const count = (sql: string): number => (check.prepare(sql).get() as { n: number }).n;
      assert.equal(count("SELECT count(*) AS n FROM resource_versions WHERE resource_type = 'AuditEvent'"), 0);
      assert.equal(count("SELECT count(*) AS n FROM resources WHERE resource_type = 'AuditEvent'"), 0);
      for (const table of ['idx_token', 'idx_reference', 'idx_date']) {
        const rows = count(`SELECT count(*) AS n FROM ${table} x JOIN search_params p ON p.param_id = x.param_id WHERE p.resource_type = 'AuditEvent'`);
        assert.equal(rows, 0, `the events’ rows of ${table} are gone`);
      }
      assert.equal(count('SELECT count(*) AS n FROM resources'), 2);
      assert.deepEqual(
        check.prepare('SELECT seq, id, audit_hash FROM audit_events ORDER BY seq').all().map((r) => ({ ...r })),
        [
          { seq: 2, id: 'a1', audit_hash: auditLink(null, (await store.chainRecords({ resourceType: 'AuditEvent', limit: 1 }))[0].hash as string) },
          { seq: 4, id: 'a2', audit_hash: (await store.chainRecords({ resourceType: 'AuditEvent', limit: 2 }))[1].auditHash },
          { seq: 5, id: 'a3', audit_hash: link },
        ]
      );
      check.close();
      const report = await verifyChains(store, {});
      assert.equal(report.breaks.length, 0, JSON.stringify(report.breaks));
      assert.equal(report.verified, 5);
      assert.equal((await store.readCurrent('AuditEvent', 'a2'))?.resource?.id, 'a2');
      const aboutP1 = await store.search(plan('patient=Patient/p1&_sort=-date'));
      assert.deepEqual(aboutP1.resources.map((r) => r.id), ['a3', 'a1']);
      const early = await store.search(plan('date=lt2026-12-01T09:30:00Z&type=rest&_sort=date'));
      assert.deepEqual(early.resources.map((r) => r.id), ['a1', 'a2']);
      // The next event goes on from the migrated chain's head, at the next position.
      await store.update(event('a4', 'p2', '2026-12-01T11:00:00Z'));
      const [last] = await store.chainRecords({ resourceType: 'AuditEvent', after: '5', limit: 1 });
      assert.equal(last.position, '6');
      assert.equal(last.previousAuditHash, link);
      assert.equal((await verifyChains(store, {})).breaks.length, 0);
    } finally {
      await store.close();
    }
  });
});
