// Migration 11 (server/store/sqlite/schema.ts): a store written before it gets the string lookup index
// ending with the key and the composite index by key covering a token$quantity's parts, and its
// searches answer as before.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { observation, patient } from '../../helpers/fixtures';
import { fileStore } from '../../helpers/test-server';
import { indexColumns as columns, searchIds as ids } from './migration-checks';
import { scratchDir } from '../../helpers/scratch-dir';


describe('SQLite migration 11: covering string lookup and composite key indexes', function () {
  this.timeout(60_000);
  const dir = scratchDir('fhir-covering-');

  it('rebuilds both indexes on a store of version 10, its answers unchanged', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const store = fileStore(file);
    await store.update(patient({ id: 'p1', name: [{ family: 'Li', given: ['Hua'] }] }));
    await store.update(patient({ id: 'p2', name: [{ family: 'Wang', given: ['Lihua'] }] }));
    await store.update(
      observation('p1', {
        id: 'bp',
        component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 150, system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }],
      })
    );
    await store.close();

    // The file as a server before migration 11 left it.
    const db = new DatabaseSync(file);
    db.exec(`DROP INDEX idx_string_lookup; CREATE INDEX idx_string_lookup ON idx_string (param_id, value);
      DROP INDEX idx_composite_key; CREATE INDEX idx_composite_key ON idx_composite (key); PRAGMA user_version = 10;`);
    db.close();

    const migrated = fileStore(file);
    try {
      assert.deepEqual(await ids(migrated, 'Patient', 'given=hua'), ['p1']);
      assert.deepEqual(await ids(migrated, 'Patient', 'name=li'), ['p1', 'p2']);
      assert.deepEqual(await ids(migrated, 'Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt140'), ['bp']);
    } finally {
      await migrated.close();
    }
    const after = new DatabaseSync(file);
    try {
      assert.deepEqual(columns(after, 'idx_string_lookup'), ['param_id', 'value', 'key']);
      assert.deepEqual(columns(after, 'idx_composite_key'), ['key', 'param_id', 'p0_a', 'p0_b', 'p1_a', 'p1_low', 'p1_high']);
    } finally {
      after.close();
    }
  });
});
