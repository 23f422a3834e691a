// Migration 13 (server/store/sqlite/schema.ts): fewer index entries per write. The reference index by
// url holds only the references that have one; the quantity index by unit code and the versions' index
// by time, which no plan read, are gone, and so is the reference index by target, which only a delete's
// check for referrers read. Searches, history and referrers answer as before.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import type { Observation, QuestionnaireResponse } from '@medplum/fhirtypes';
import type { EmbeddedStore } from '../../../server/store/adapters';
import { compileSearch } from '../../../server/store/sqlite/search-sql';
import { observation, patient } from '../../helpers/fixtures';
import { fileStore, testSearchPlan } from '../../helpers/test-server';
import { scratchDir } from '../../helpers/scratch-dir';
import { searchIds as ids } from './migration-checks';

const ucum = 'http://unitsofmeasure.org';
const elsewhere = 'http://other.example/fhir';

/** The indexes of a table as SQLite lists them: name and whether it is partial. */
function indexes(db: DatabaseSync, table: string): Map<string, boolean> {
  const rows = db.prepare(`PRAGMA index_list(${table})`).all() as { name: string; partial: number }[];
  return new Map(rows.map((r) => [r.name, r.partial === 1]));
}

function questionnaireResponse(id: string, questionnaire: string): QuestionnaireResponse {
  return { resourceType: 'QuestionnaireResponse', id, status: 'completed', questionnaire };
}

/** What migration 13 leaves: checked on a migrated file and on a new one alike. */
function assertMigrated(file: string): void {
  const db = new DatabaseSync(file);
  try {
    assert.equal(indexes(db, 'idx_reference').get('idx_reference_url'), true);
    assert.match(
      (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'idx_reference_url'").get() as { sql: string }).sql,
      /ON idx_reference \(param_id, url\) WHERE url IS NOT NULL$/
    );
    assert.equal(indexes(db, 'idx_quantity').has('idx_quantity_lookup'), false);
    assert.deepEqual([...indexes(db, 'idx_reference').keys()].sort(), ['idx_reference_key', 'idx_reference_lookup', 'idx_reference_url']);
    assert.equal(indexes(db, 'resource_versions').has('resource_versions_by_time'), false);
    // The others stay as they were.
    assert.deepEqual([...indexes(db, 'idx_quantity').keys()].sort(), ['idx_quantity_above', 'idx_quantity_below', 'idx_quantity_canonical', 'idx_quantity_key']);
    assert.deepEqual([...indexes(db, 'resource_versions').keys()].sort(), ['resource_versions_by_resource', 'resource_versions_by_type']);
  } finally {
    db.close();
  }
}

describe('SQLite migration 13: fewer index entries per write', function () {
  this.timeout(60_000);
  const dir = scratchDir('fhir-write-pages-');

  it('makes the url index partial and drops three indexes on a store of version 12, its answers unchanged', async () => {
    const file = path.join(dir(), 'fhir.sqlite');
    const store = fileStore(file);
    await store.update(patient({ id: 'p1' }));
    await store.update(questionnaireResponse('q1', 'http://example.org/Questionnaire/phq9|2.0'));
    await store.update(questionnaireResponse('q2', 'http://example.org/Questionnaire/phq9|1.0'));
    await store.update(questionnaireResponse('q3', 'http://example.org/Questionnaire/gad7'));
    await store.update(observation('p1', { id: 'local', valueQuantity: { value: 72, unit: 'kg', system: ucum, code: 'kg' } }));
    await store.update(observation('p1', { id: 'remote', subject: { reference: `${elsewhere}/Patient/p1` }, valueQuantity: { value: 5, unit: 'tablets' } }));
    await store.update(observation('p1', { id: 'grams', valueQuantity: { value: 72000, unit: 'g', system: ucum, code: 'g' } }));
    const since = new Date(Date.now() + 1).toISOString();
    await new Promise((resolve) => setTimeout(resolve, 5));
    await store.update(observation('p1', { id: 'local', valueQuantity: { value: 73, unit: 'kg', system: ucum, code: 'kg' } }));
    await store.close();

    // The file as a server before migration 13 left it.
    const db = new DatabaseSync(file);
    db.exec(`
      DROP INDEX idx_reference_url; CREATE INDEX idx_reference_url ON idx_reference (param_id, url);
      CREATE INDEX idx_quantity_lookup ON idx_quantity (param_id, code, low);
      CREATE INDEX resource_versions_by_time ON resource_versions (last_updated);
      CREATE INDEX idx_reference_target ON idx_reference (target_id, target_type);
      PRAGMA user_version = 12;`);
    db.close();

    const migrated = fileStore(file);
    try {
      assert.deepEqual(await ids(migrated, 'QuestionnaireResponse', 'questionnaire=http://example.org/Questionnaire/phq9'), ['q1', 'q2']);
      assert.deepEqual(await ids(migrated, 'QuestionnaireResponse', 'questionnaire=http://example.org/Questionnaire/phq9|1.0'), ['q2']);
      assert.deepEqual(await ids(migrated, 'Observation', `subject=${elsewhere}/Patient/p1`), ['remote']);
      assert.deepEqual(await ids(migrated, 'Observation', 'subject=Patient/p1'), ['grams', 'local', 'remote']);
      assert.deepEqual(await ids(migrated, 'Observation', 'value-quantity=5||tablets'), ['remote']);
      assert.deepEqual(await ids(migrated, 'Observation', 'value-quantity=lt10||tablets'), ['remote']);
      assert.deepEqual(await ids(migrated, 'Observation', `value-quantity=72|${ucum}|kg`), ['grams']);
      assert.deepEqual(await ids(migrated, 'Observation', 'value-quantity=gt72.5'), ['grams', 'local']);
      assert.deepEqual((await migrated.referrers({ resourceType: 'Patient', id: 'p1' }, { limit: 10 })).map((r) => r.id).sort(), ['grams', 'local', 'remote']);
      assert.deepEqual(await migrated.referrers({ resourceType: 'Patient', id: 'p1' }, { limit: 10, excludeTypes: ['Observation'] }), []);
      const history = await migrated.history({ since: Date.parse(since), count: 10 });
      assert.deepEqual(history.versions.map((v) => `${v.id}/${v.versionId}`), ['local/2']);
    } finally {
      await migrated.close();
    }
    assertMigrated(file);
  });

  it('creates a new store as migration 13 leaves an old one', async () => {
    const file = path.join(dir(), 'new.sqlite');
    await fileStore(file).close();
    assertMigrated(file);
  });

  it('still reads a canonical or absolute reference search from the url index', async () => {
    const file = path.join(dir(), 'plans.sqlite');
    const store = fileStore(file);
    await store.update(questionnaireResponse('q1', 'http://example.org/Questionnaire/phq9|2.0'));
    await store.close();
    const db = new DatabaseSync(file);
    try {
      const paramId = (type: string, code: string): number | undefined =>
        (db.prepare('SELECT param_id FROM search_params WHERE resource_type = ? AND code = ?').get(type, code) as { param_id: number } | undefined)?.param_id;
      for (const query of ['questionnaire=http://example.org/Questionnaire/phq9', 'questionnaire=http://example.org/Questionnaire/phq9|2.0']) {
        const plan = { ...testSearchPlan('QuestionnaireResponse', query), total: 'accurate' as const };
        const compiled = compileSearch(plan, paramId, { rows: (_sql, limit) => limit, typeSize: () => 1_000_000 });
        const details = (db.prepare(`EXPLAIN QUERY PLAN ${compiled.countSql}`).all(...compiled.countParams) as { detail: string }[]).map((r) => r.detail);
        assert.ok(details.some((d) => d.includes('USING INDEX idx_reference_url (param_id=? AND url=?)')), `${query}\n${details.join('\n')}`);
        assert.equal((db.prepare(compiled.countSql!).get(...compiled.countParams) as { total: number }).total, 1, query);
      }
    } finally {
      db.close();
    }
  });

  it('finds by url, by id, by unit and as referrers exactly the resources a scan of them finds (property)', async () => {
    // Subjects: local (Patient/pN), or the same patient on another server (indexed with a url and an id).
    const subjectArb = fc.record({ patient: fc.integer({ min: 0, max: 3 }), remote: fc.boolean() });
    const quantityArb = fc.record({ value: fc.integer({ min: 0, max: 20 }), unit: fc.constantFrom('kg', 'g', 'tablets', 'puffs') });
    const performerArb = fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined });
    const resourcesArb = fc.array(fc.record({ subject: subjectArb, quantity: quantityArb, performer: performerArb }), { minLength: 1, maxLength: 12 });
    let run = 0;
    await fc.assert(
      fc.asyncProperty(resourcesArb, async (resources) => {
        const store: EmbeddedStore = fileStore(path.join(dir(), `property-${run++}.sqlite`));
        try {
          const written: Observation[] = resources.map(({ subject, quantity, performer }, i) => {
            const reference = subject.remote ? `${elsewhere}/Patient/p${subject.patient}` : `Patient/p${subject.patient}`;
            const ucumUnit = quantity.unit === 'kg' || quantity.unit === 'g';
            return observation(`p${subject.patient}`, {
              id: `o${i}`,
              subject: { reference },
              ...(performer === undefined ? {} : { performer: [{ reference: `Patient/p${performer}` }] }),
              valueQuantity: ucumUnit ? { value: quantity.value, unit: quantity.unit, system: ucum, code: quantity.unit } : { value: quantity.value, unit: quantity.unit },
            });
          });
          for (const o of written) {
            await store.update(o);
          }
          const expect = (keep: (o: Observation) => boolean): string[] => written.filter(keep).map((o) => o.id!).sort();
          for (let p = 0; p <= 3; p++) {
            const url = `${elsewhere}/Patient/p${p}`;
            assert.deepEqual(await ids(store, 'Observation', `subject=${url}`), expect((o) => o.subject?.reference === url));
            const bySubject = (o: Observation): boolean => o.subject!.reference!.endsWith(`Patient/p${p}`);
            assert.deepEqual(await ids(store, 'Observation', `subject=Patient/p${p}`), expect(bySubject));
            // Referrers: by any parameter (subject, patient, performer), each resource once.
            const referring = expect((o) => bySubject(o) || o.performer?.[0].reference === `Patient/p${p}`);
            const referrers = await store.referrers({ resourceType: 'Patient', id: `p${p}` }, { limit: 100 });
            assert.deepEqual(referrers.map((r) => `${r.resourceType}/${r.id}`).sort(), referring.map((id) => `Observation/${id}`));
            const two = await store.referrers({ resourceType: 'Patient', id: `p${p}` }, { limit: 2 });
            assert.equal(two.length, Math.min(2, referring.length));
            assert.ok(two.every((r) => referring.includes(r.id)));
          }
          for (const unit of ['tablets', 'puffs']) {
            assert.deepEqual(await ids(store, 'Observation', `value-quantity=lt10||${unit}`), expect((o) => o.valueQuantity!.unit === unit && o.valueQuantity!.value! < 10));
            assert.deepEqual(await ids(store, 'Observation', `value-quantity=7||${unit}`), expect((o) => o.valueQuantity!.unit === unit && o.valueQuantity!.value === 7));
          }
          // 7 kg is 7,000 g: both are found through the canonical unit.
          assert.deepEqual(
            await ids(store, 'Observation', `value-quantity=7|${ucum}|kg`),
            expect((o) => (o.valueQuantity!.unit === 'kg' && o.valueQuantity!.value === 7) || (o.valueQuantity!.unit === 'g' && o.valueQuantity!.value === 7000))
          );
        } finally {
          await store.close();
        }
      }),
      { numRuns: 25 }
    );
  });
});
