// Migration 12 (server/store/sqlite/schema.ts): a store written before it gets the walk of a type in
// write order holding each resource's id, and its searches that walk a type answer as before.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { observation, patient } from '../../helpers/fixtures';
import { fileStore } from '../../helpers/test-server';
import { indexColumns as columns, searchIds as ids } from './migration-checks';
import { scratchDir } from '../../helpers/scratch-dir';

const loinc = 'http://loinc.org';

describe('SQLite migration 12: the walk of a type in write order holds the id', function () {
  this.timeout(60_000);
  const dir = scratchDir('fhir-walk-id-');

  it('rebuilds the index on a store of version 11, its answers unchanged', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const store = fileStore(file);
    await store.update(patient({ id: 'p1' }));
    await store.update(patient({ id: 'p2' }));
    await store.update(observation('p1', { id: 'a', code: { coding: [{ system: loinc, code: '2093-3' }] }, valueQuantity: { value: 210 } }));
    await store.update(observation('p2', { id: 'b', code: { coding: [{ system: 'http://example.org', code: '2093-3' }] }, valueQuantity: { value: 220 } }));
    await store.close();

    // The file as a server before migration 12 left it.
    const db = new DatabaseSync(file);
    db.exec('DROP INDEX resources_by_seq; CREATE INDEX resources_by_seq ON resources (resource_type, deleted, seq); PRAGMA user_version = 11;');
    db.close();

    const migrated = fileStore(file);
    try {
      assert.deepEqual(await ids(migrated, 'Patient', `_has:Observation:patient:code=${loinc}|2093-3`), ['p1']);
      assert.deepEqual(await ids(migrated, 'Observation', `code=${loinc}|2093-3&value-quantity=gt200`), ['a']);
      assert.deepEqual(await ids(migrated, 'Patient', ''), ['p1', 'p2']);
    } finally {
      await migrated.close();
    }
    const after = new DatabaseSync(file);
    try {
      assert.deepEqual(columns(after, 'resources_by_seq'), ['resource_type', 'deleted', 'seq', 'id']);
    } finally {
      after.close();
    }
  });
});
