// SQLite migration 15 (server/store/sqlite/schema.ts): the index rows an older server wrote for R4's
// Observation combo-* parameters, which repeat their parts' rows, are removed; the parts' rows stay, and
// a search on a combo parameter still finds what it found (through the parts, parse-search.ts).
import type { Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { fileStore, testSearchPlan } from '../../helpers/test-server';
import { scratchDir } from '../../helpers/scratch-dir';

const loinc = 'http://loinc.org';
const mmHg = (value: number): Observation['valueQuantity'] => ({ value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' });
const panel: Observation = {
  resourceType: 'Observation',
  id: 'bp-1',
  status: 'final',
  code: { coding: [{ system: loinc, code: '85354-9' }] },
  subject: { reference: 'Patient/p1' },
  component: [
    { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: mmHg(150) },
    { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: mmHg(95) },
  ],
};

/** The combo parameters as an older server indexed them: a copy of each part's rows under the combo's id. */
const olderRows: [table: string, combo: string, parts: string[]][] = [
  ['idx_token', 'combo-code', ['code', 'component-code']],
  ['idx_quantity', 'combo-value-quantity', ['value-quantity', 'component-value-quantity']],
  ['idx_composite', 'combo-code-value-quantity', ['code-value-quantity', 'component-code-value-quantity']],
];

describe('SQLite migration 15: no rows for union parameters', function () {
  this.timeout(30_000);
  const dir = scratchDir('union-migration-', 'test');

  it('removes the combo-* rows an older server wrote, keeps the parts\' rows, and the searches still match', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    let store = fileStore(file);
    await store.update(panel);
    await store.close();

    const db = new DatabaseSync(file);
    const paramId = (code: string): number => {
      db.prepare("INSERT OR IGNORE INTO search_params (resource_type, code) VALUES ('Observation', ?)").run(code);
      return (db.prepare("SELECT param_id FROM search_params WHERE resource_type = 'Observation' AND code = ?").get(code) as { param_id: number }).param_id;
    };
    const rows = (table: string, code: string): number => (db.prepare(`SELECT count(*) AS n FROM ${table} WHERE param_id = ?`).get(paramId(code)) as { n: number }).n;
    db.exec('PRAGMA user_version = 14');
    for (const [table, combo, parts] of olderRows) {
      const columns = (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name).filter((c) => c !== 'param_id');
      db.prepare(`INSERT INTO ${table} (param_id, ${columns.join(', ')}) SELECT ?, ${columns.join(', ')} FROM ${table} WHERE param_id IN (?, ?)`).run(
        paramId(combo),
        paramId(parts[0]),
        paramId(parts[1])
      );
      assert.ok(rows(table, combo) > 0, `${combo} has rows as an older server wrote them`);
    }
    const partRows = olderRows.map(([table, , parts]) => parts.map((part) => rows(table, part)));
    db.close();

    store = fileStore(file);
    try {
      const check = new DatabaseSync(file);
      assert.equal((check.prepare('PRAGMA user_version').get() as { user_version: number }).user_version, 15);
      check.close();
      const after = new DatabaseSync(file);
      for (const [i, [table, combo, parts]] of olderRows.entries()) {
        const count = (code: string): number =>
          (after.prepare(`SELECT count(*) AS n FROM ${table} x JOIN search_params p ON p.param_id = x.param_id WHERE p.resource_type = 'Observation' AND p.code = ?`).get(code) as { n: number }).n;
        assert.equal(count(combo), 0, `${combo}'s rows are gone`);
        assert.deepEqual(parts.map(count), partRows[i], `the rows of ${parts.join(' and ')} stay`);
      }
      after.close();
      for (const query of ['combo-code=8480-6', 'combo-value-quantity=gt140', `combo-code-value-quantity=${loinc}|8480-6$gt140`]) {
        const page = await store.search(testSearchPlan('Observation', query));
        assert.deepEqual(page.resources.map((r) => r.id), ['bp-1'], query);
      }
      assert.deepEqual((await store.search(testSearchPlan('Observation', `combo-code-value-quantity=${loinc}|8462-4$gt140`))).resources, []);
    } finally {
      await store.close();
    }
  });
});
