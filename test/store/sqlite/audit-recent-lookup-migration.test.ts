// Migration 14 (server/store/sqlite/schema.ts): a store written before it, its AuditEvents' lookup entries
// all in audit_event_targets, gets the recent table; its events are found as before, and the events
// written after go to the recent table and are found with them.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { storeWriter } from '../../../server/audit/audit-trail';
import { auditEvent } from '../../helpers/fixtures';
import { scratchDir } from '../../helpers/scratch-dir';
import { fileStore } from '../../helpers/test-server';
import { searchIds as ids } from './migration-checks';

const read = (id: string, patient: string) => ({ ...auditEvent(id, 'PractitionerRole/dr1'), entity: [{ what: { reference: `Patient/${patient}` } }] });

describe('SQLite migration 14: AuditEvent lookup entries through a recent table', function () {
  this.timeout(60_000);
  const dir = scratchDir('fhir-recent-lookup-');

  it('adds the table to a store of version 13, whose events are found as before and with the new ones', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const store = fileStore(file);
    await storeWriter(store)([read('old-1', 'p1'), read('old-2', 'p2')]);
    await store.close();

    // The file as a server before migration 14 left it: every lookup entry in audit_event_targets.
    const db = new DatabaseSync(file);
    db.exec(`INSERT OR IGNORE INTO audit_event_targets SELECT param_id, target_id, target_type, seq FROM audit_event_recent_targets;
      DROP TABLE audit_event_recent_targets; PRAGMA user_version = 13;`);
    assert.equal((db.prepare('SELECT count(*) AS n FROM audit_event_targets').get() as { n: number }).n, 4);
    db.close();

    const migrated = fileStore(file);
    try {
      assert.deepEqual(await ids(migrated, 'AuditEvent', 'patient=Patient/p1'), ['old-1']);
      await storeWriter(migrated)([read('new-1', 'p1')]);
      assert.deepEqual(await ids(migrated, 'AuditEvent', 'patient=Patient/p1'), ['new-1', 'old-1']);
      assert.deepEqual(await ids(migrated, 'AuditEvent', 'agent=PractitionerRole/dr1'), ['new-1', 'old-1', 'old-2']);
    } finally {
      await migrated.close();
    }
    const after = new DatabaseSync(file, { readOnly: true });
    try {
      const count = (table: string): number => (after.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
      assert.deepEqual([count('audit_event_targets'), count('audit_event_recent_targets')], [4, 2]);
    } finally {
      after.close();
    }
  });
});
