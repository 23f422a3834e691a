// The SQLite plans of the searches whose cost used to grow with the data (docs/performance.md, "The
// search mix"): checked with EXPLAIN QUERY PLAN on a real file, and their answers against the data.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync, type SQLInputValue } from 'node:sqlite';
import type { Condition, Observation } from '@medplum/fhirtypes';
import type { SearchPlan } from '../../../server/search/plan';
import type { SearchPage } from '../../../server/store/port';
import { exactBelowTypeSize } from '../../../server/store/sqlite/count-sql';
import { encodeSearchCursor } from '../../../server/store/cursor';
import { compileSearch, type RowEstimator } from '../../../server/store/sqlite/search-sql';
import { observation, patient } from '../../helpers/fixtures';
import { fileStore, testSearchPlan } from '../../helpers/test-server';

const loinc = 'http://loinc.org';
const icd10 = 'http://hl7.org/fhir/sid/icd-10';
/** Observations written: every other one has code A, the others code B; values 1..observations. */
const observations = 200;

function plan(resourceType: string, query: string, total: SearchPlan['total'] = 'none'): SearchPlan {
  const parsed = testSearchPlan(resourceType, query);
  return { ...parsed, total };
}

describe('SQLite search plans that must not grow with the matches', function () {
  this.timeout(60_000);
  let dir: string;
  let db: DatabaseSync;
  const paramId = (type: string, code: string): number | undefined =>
    (db.prepare('SELECT param_id FROM search_params WHERE resource_type = ? AND code = ?').get(type, code) as { param_id: number } | undefined)?.param_id;
  /** What the store's planner asks (sqlite-operations.ts), with the type's size as given. */
  const estimator = (typeSize?: number): RowEstimator => ({
    rows: (sql, limit) => (db.prepare(`SELECT count(*) AS n FROM (${sql.sql} LIMIT ?)`).get(...sql.params, limit) as { n: number }).n,
    typeSize: (type) => typeSize ?? (db.prepare('SELECT count(*) AS n FROM resources WHERE resource_type = ? AND deleted = 0').get(type) as { n: number }).n,
  });
  /** The planner's view of a large store: every filter matches at least the driver limit, of a million resources. */
  const largeStore: RowEstimator = { rows: (_sql, limit) => limit, typeSize: () => 1_000_000 };
  const queryPlan = (sql: string, params: SQLInputValue[]): string[] =>
    (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((row) => row.detail);
  const total = (sql: string | undefined, params: SQLInputValue[]): number => (db.prepare(sql!).get(...params) as { total: number }).total;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-plans-'));
    const file = path.join(dir, 'fhir.sqlite');
    const store = fileStore(file);
    for (let p = 0; p < 10; p++) {
      await store.update(patient({ id: `p${p}` }));
      const condition: Condition = {
        resourceType: 'Condition',
        id: `c${p}`,
        subject: { reference: `Patient/p${p}` },
        // One patient has the rare diagnosis.
        code: { coding: [{ system: icd10, code: p === 7 ? 'E11.9' : 'I10' }] },
      };
      await store.update(condition);
    }
    for (let i = 1; i <= observations; i++) {
      const code = i % 2 ? 'A' : 'B';
      await store.update(
        observation(`p${i % 10}`, {
          id: `o${i}`,
          code: { coding: [{ system: loinc, code }] },
          valueQuantity: { value: i, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
        })
      );
    }
    await store.close();
    db = new DatabaseSync(file);
  });

  after(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('counts exactly from index entries alone, never reading a resource row', () => {
    const compiled = compileSearch(plan('Observation', `code=${loinc}|A`, 'accurate'), paramId, estimator());
    assert.equal(total(compiled.countSql, compiled.countParams), observations / 2);
    const details = queryPlan(compiled.countSql!, compiled.countParams);
    assert.ok(details.some((d) => /COVERING INDEX idx_token_lookup/.test(d)), details.join('\n'));
    assert.ok(details.every((d) => !/\bresources\b/.test(d)), details.join('\n'));
    // One pass over the code's index entries, which come in key order (each key compared with the one
    // before): no subquery whose rows are handed on one by one, no B-tree of every key.
    assert.deepEqual(details, ['SEARCH idx_token USING COVERING INDEX idx_token_lookup (param_id=? AND code=? AND system=?)']);
  });

  it('counts exactly with a second filter tested by key on its index rows, still without resource rows', () => {
    const compiled = compileSearch(plan('Observation', `code=${loinc}|A&value-quantity=gt150`, 'accurate'), paramId, estimator());
    // Odd values above 150: 151, 153, ..., 199.
    assert.equal(total(compiled.countSql, compiled.countParams), 25);
    assert.ok(queryPlan(compiled.countSql!, compiled.countParams).every((d) => !/\bresources\b/.test(d)));
  });

  it('reads a quantity comparison as a range of the quantity index, whichever way it compares', () => {
    for (const [query, index, expected] of [
      ['value-quantity=gt190', 'idx_quantity_above', 10],
      ['value-quantity=le5', 'idx_quantity_below', 5],
    ] as const) {
      const compiled = compileSearch(plan('Observation', query, 'accurate'), paramId, estimator());
      assert.equal(total(compiled.countSql, compiled.countParams), expected, query);
      const details = queryPlan(compiled.countSql!, compiled.countParams);
      assert.ok(details.some((d) => d.includes(`COVERING INDEX ${index} (param_id=? AND <expr>`)), details.join('\n'));
    }
  });

  it('finds an equal quantity with its unit as a range of the value: in the canonical unit alone when it is that unit, else in both', () => {
    // kg is its dimension's canonical unit: one range of the canonical index.
    const compiled = compileSearch(plan('Observation', 'value-quantity=150|http://unitsofmeasure.org|kg', 'accurate'), paramId, estimator());
    assert.equal(total(compiled.countSql, compiled.countParams), 1);
    const details = queryPlan(compiled.countSql!, compiled.countParams).filter((d) => d.includes('idx_quantity'));
    assert.deepEqual(details, ['SEARCH idx_quantity USING INDEX idx_quantity_canonical (param_id=? AND canonical_code=? AND <expr>>? AND <expr><?)']);
    // The same amount in another unit of the dimension: 150 kg is 150,000 g, one range of the canonical
    // index too (the g rows hold their canonical values), not every quantity of the value 150,000 in any unit.
    const grams = compileSearch(plan('Observation', 'value-quantity=150000|http://unitsofmeasure.org|g', 'accurate'), paramId, estimator());
    assert.equal(total(grams.countSql, grams.countParams), 1);
    const both = queryPlan(grams.countSql!, grams.countParams).filter((d) => d.includes('idx_quantity'));
    assert.deepEqual(both, ['SEARCH idx_quantity USING INDEX idx_quantity_canonical (param_id=? AND canonical_code=? AND <expr>>? AND <expr><?)']);
  });

  it('drives an equal quantity in key order from the canonical index alone, testing each key exactly until the page is full', () => {
    const compiled = compileSearch(plan('Observation', 'value-quantity=150|http://unitsofmeasure.org|kg'), paramId, { rows: estimator().rows, typeSize: () => 1_000_000 });
    assert.equal(compiled.byKey, true);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => d.includes('SEARCH idx_quantity USING COVERING INDEX idx_quantity_canonical')), details.join('\n'));
    assert.deepEqual((db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id), ['o150']);
  });

  it('counts a composite from its lookup index alone', () => {
    const compiled = compileSearch(plan('Observation', `code-value-quantity=${loinc}|A$gt150`, 'accurate'), paramId, estimator());
    assert.equal(total(compiled.countSql, compiled.countParams), 25);
    const details = queryPlan(compiled.countSql!, compiled.countParams);
    assert.ok(details.some((d) => d.includes('COVERING INDEX idx_composite_lookup (param_id=? AND p0_a=? AND p0_b=?)')), details.join('\n'));
  });

  it('checks a composite on each walked row with one seek of the composite index by key, reading no composite row', () => {
    const compiled = compileSearch(plan('Observation', `code-value-quantity=${loinc}|A$gt150`), paramId, largeStore);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => d.includes('COVERING INDEX idx_composite_key (key=? AND param_id=?')), details.join('\n'));
    assert.equal(db.prepare(compiled.pageSql).all(...compiled.pageParams).length, 21, 'a full page and one more');
  });

  it('walks a date order checking the filters on the date index row, before the resource row is read', () => {
    // Two codes: one code takes the token and date index instead (below).
    const compiled = compileSearch(plan('Observation', `code=${loinc}|B,${loinc}|C&_sort=-date`), paramId, largeStore);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    const walk = details.indexOf(details.find((d) => d.startsWith('SEARCH s USING COVERING INDEX idx_date_high'))!);
    const tokens = details.findIndex((d) => d.includes('idx_token_key (key=? AND param_id=?'));
    const resource = details.findIndex((d) => d.startsWith('SEARCH r USING INTEGER PRIMARY KEY'));
    assert.ok(walk >= 0 && walk < tokens && tokens < resource, details.join('\n'));
    // Every observation has the same date: the page is in write order, a full page and one more.
    const ids = (db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id);
    assert.deepEqual([ids.length, ...ids.slice(0, 4)], [21, 'o2', 'o4', 'o6', 'o8']);
  });

  it('walks the rows of one code newest first through the token and date index, whatever the type holds', () => {
    const compiled = compileSearch(plan('Observation', `code=${loinc}|B&_sort=-date`), paramId, largeStore);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => d.startsWith('SEARCH t USING INDEX idx_token_date (param_id=? AND code=? AND date_high>?)')), details.join('\n'));
    // No scan of the type: the undated resources of the code come from the code's rows too.
    assert.ok(!details.some((d) => d.startsWith('SCAN r') || d.includes('idx_date_high')), details.join('\n'));
    const ids = (db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id);
    assert.deepEqual([ids.length, ...ids.slice(0, 4)], [21, 'o2', 'o4', 'o6', 'o8']);
  });

  it('starts a date walk\'s next page at its cursor in the index, not at the first page', () => {
    // One code (the token and date index) and two codes (the date index), newest first and oldest first.
    for (const [query, range] of [
      [`code=${loinc}|B&_sort=-date`, 'idx_token_date (param_id=? AND code=? AND date_high>? AND date_high<?)'],
      [`code=${loinc}|B,${loinc}|C&_sort=-date`, 'idx_date_high (param_id=? AND high<?)'],
      [`code=${loinc}|B,${loinc}|C&_sort=date`, 'idx_date_lookup (param_id=? AND low>?)'],
    ]) {
      const first = compileSearch({ ...plan('Observation', query), count: 5 }, paramId, largeStore);
      const rows = db.prepare(first.pageSql).all(...first.pageParams) as Record<string, SQLInputValue>[];
      const cursor = encodeSearchCursor({ backward: false, values: first.cursorValues(rows[4]) });
      const next = compileSearch({ ...plan('Observation', query), count: 5, cursor }, paramId, largeStore);
      const details = queryPlan(next.pageSql, next.pageParams);
      assert.ok(details.some((d) => d.includes(range)), `${query}\n${details.join('\n')}`);
      // Every observation has the same date: the pages follow the write order.
      const ids = (db.prepare(next.pageSql).all(...next.pageParams) as { id: string }[]).map((r) => r.id);
      assert.deepEqual([rows.map((r) => r.id).join(), ids.join()], ['o2,o4,o6,o8,o10,o12', 'o12,o14,o16,o18,o20,o22'], query);
    }
  });

  it('keeps a selective filter as the driver of a newest-first sort by code', () => {
    const compiled = compileSearch(plan('Observation', `code=${loinc}|B&_id=o2,o4&_sort=-date`), paramId, estimator());
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(!details.some((d) => d.includes('idx_token_date')), details.join('\n'));
    const ids = (db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id);
    assert.deepEqual(ids, ['o2', 'o4']);
  });

  it('reads a date from (ge) or up to (le) as a range of one end of the date index, not every date of the parameter', () => {
    for (const [query, index] of [
      ['date=ge2026-03-05', 'idx_date_high (param_id=? AND high>?)'],
      ['date=le2026-03-05', 'idx_date_lookup (param_id=? AND low<?)'],
    ]) {
      const compiled = compileSearch(plan('Observation', query, 'accurate'), paramId, estimator());
      const details = queryPlan(compiled.countSql!, compiled.countParams);
      assert.ok(details.some((d) => d.includes(index)), `${query}\n${details.join('\n')}`);
      // Every observation has that date.
      assert.equal(total(compiled.countSql, compiled.countParams), observations, query);
    }
  });

  it('reads the dates within a day as a range of the date index bounded at both ends', () => {
    const compiled = compileSearch(plan('Observation', 'date=2026-03-05', 'accurate'), paramId, estimator());
    assert.equal(total(compiled.countSql, compiled.countParams), observations);
    const details = queryPlan(compiled.countSql!, compiled.countParams);
    assert.ok(details.some((d) => d.includes('COVERING INDEX idx_date_lookup (param_id=? AND low>? AND low<?)')), details.join('\n'));
  });

  it('checks _has on each walked row through the reference index, materialising no list of sources', () => {
    const compiled = compileSearch(plan('Patient', `_has:Condition:patient:code=${icd10}|I10`), paramId, largeStore);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => /CORRELATED/.test(d)) && details.some((d) => /idx_reference_lookup/.test(d)), details.join('\n'));
    assert.ok(details.every((d) => !/LIST SUBQUERY/.test(d)), details.join('\n'));
    // The source filter reads the reference row's key: no source resource row is read.
    assert.ok(details.every((d) => !/SEARCH t\d+ /.test(d)), details.join('\n'));
    // The walked Patients' ids, which their referrers are found by, come from the walk's index: no
    // Patient row is read before one is kept for the page.
    assert.ok(details.some((d) => d.startsWith('SEARCH r USING COVERING INDEX resources_by_seq (resource_type=? AND deleted=?)')), details.join('\n'));
    const ids = (db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id);
    assert.deepEqual(ids.sort(), ['p0', 'p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p8', 'p9']);
  });

  it('checks a chain on each walked row through its own reference, materialising no list of referrers', () => {
    const compiled = compileSearch(plan('Observation', `subject:Patient.gender=male&code=${loinc}|B`), paramId, largeStore);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => /CORRELATED/.test(d)) && details.some((d) => /idx_reference_key/.test(d)), details.join('\n'));
    assert.ok(details.every((d) => !/LIST SUBQUERY/.test(d)), details.join('\n'));
    // The target's id is mapped to its key by the id index alone: its gender filter implies it is current.
    assert.ok(details.some((d) => /SEARCH t\d+ USING COVERING INDEX resources_by_id/.test(d)), details.join('\n'));
    const rows = db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[];
    assert.deepEqual(rows.slice(0, 3).map((r) => r.id), ['o2', 'o4', 'o6']);
    assert.equal(rows.length, 21, 'a full page and one more');
  });

  it('checks a string on each walked row with one seek of the string index by key, reading no string row', () => {
    // Every patient is named 王小明: 王 is common, the walk checks each Patient and each Observation's subject.
    for (const [type, query, expected] of [
      ['Patient', 'name=王', 10],
      ['Observation', 'subject:Patient.name=王', 21],
    ] as const) {
      const compiled = compileSearch(plan(type, query), paramId, largeStore);
      const details = queryPlan(compiled.pageSql, compiled.pageParams);
      assert.ok(details.some((d) => d.includes('COVERING INDEX idx_string_key (key=? AND param_id=? AND value>? AND value<?)')), details.join('\n'));
      assert.equal(db.prepare(compiled.pageSql).all(...compiled.pageParams).length, expected, query);
    }
  });

  it('reads a driving string filter\'s keys from the string lookup index alone, in key order', () => {
    // 10 of a million Patients: driven, without a sort, so the page follows the keys.
    const compiled = compileSearch(plan('Patient', 'given=小明'), paramId, { rows: estimator().rows, typeSize: () => 1_000_000 });
    assert.equal(compiled.byKey, true);
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => d.includes('SEARCH idx_string USING COVERING INDEX idx_string_lookup (param_id=? AND value>? AND value<?)')), details.join('\n'));
    assert.equal(db.prepare(compiled.pageSql).all(...compiled.pageParams).length, 10);
  });

  it('drives _has from the few sources that match, through their references', () => {
    const compiled = compileSearch(plan('Patient', `_has:Condition:patient:code=E11.9`, 'accurate'), paramId, estimator(1_000_000));
    assert.match(compiled.pageSql, /\) d GROUP BY d.key/);
    assert.deepEqual((db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id), ['p7']);
    assert.equal(total(compiled.countSql, compiled.countParams), 1);
    // Each source's target maps to its key through resources_by_id alone: its row is read once it is kept.
    const details = queryPlan(compiled.pageSql, compiled.pageParams);
    assert.ok(details.some((d) => d.startsWith('SEARCH t USING COVERING INDEX resources_by_id')), details.join('\n'));
  });

  it('estimates _total=estimate from a bounded sample of a large type, and counts a small or selective one exactly', () => {
    // Half the sampled rows match: about half a million of the million the planner believes in.
    const large = compileSearch(plan('Observation', `code=${loinc}|A`, 'estimate'), paramId, largeStore);
    assert.match(large.countSql!, /WITH span/);
    const estimated = total(large.countSql, large.countParams);
    assert.ok(estimated > 400_000 && estimated < 600_000, `estimate ${estimated}`);
    // Reads the type through its write-order index, sample by sample, never the whole type.
    assert.ok(queryPlan(large.countSql!, large.countParams).every((d) => !/^SCAN r\b/.test(d)));

    const small = compileSearch(plan('Observation', `code=${loinc}|A`, 'estimate'), paramId, estimator(exactBelowTypeSize - 1));
    assert.equal(total(small.countSql, small.countParams), observations / 2);
    const selective = compileSearch(plan('Observation', `code=${loinc}|A&subject=Patient/p1`, 'estimate'), paramId, estimator(1_000_000));
    assert.equal(total(selective.countSql, selective.countParams), 20);
  });
});

describe('SQLite search without _sort driven by a filter: pages in key order', function () {
  this.timeout(60_000);
  let dir: string;
  let store: ReturnType<typeof fileStore>;
  let db: DatabaseSync;
  const paramId = (type: string, code: string): number | undefined =>
    (db.prepare('SELECT param_id FROM search_params WHERE resource_type = ? AND code = ?').get(type, code) as { param_id: number } | undefined)?.param_id;
  const component = (code: string, value: number): NonNullable<Observation['component']>[number] => ({
    code: { coding: [{ system: loinc, code }] },
    valueQuantity: { value, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  });
  /** 4 of 200 Observations match component-value-quantity=gt400; three of them hold two matching values. */
  const matching = ['m1', 'm2', 'm3', 'm4'];
  const query = 'component-value-quantity=gt400';
  const pageOf = (count: number): SearchPlan => ({ ...plan('Observation', query), count });

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-key-order-'));
    const file = path.join(dir, 'fhir.sqlite');
    store = fileStore(file);
    await store.update(patient({ id: 'p1' }));
    for (let i = 0; i < 196; i++) {
      await store.update(observation('p1', { id: `o${i}`, component: [component('8480-6', 120), component('8462-4', 80)] }));
      if (i % 49 === 7) {
        const id = matching[(i - 7) / 49];
        const values = id === 'm4' ? [component('8480-6', 500)] : [component('8480-6', 500), component('8462-4', 450)];
        await store.update(observation('p1', { id, component: values }));
      }
    }
    db = new DatabaseSync(file);
  });

  after(async () => {
    db.close();
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('sorts the driver\'s keys from its index entries and reads resource rows only until the page is full', () => {
    const compiled = compileSearch(plan('Observation', query), paramId, {
      rows: (sql, limit) => (db.prepare(`SELECT count(*) AS n FROM (${sql.sql} LIMIT ?)`).get(...sql.params, limit) as { n: number }).n,
      typeSize: () => 200,
    });
    assert.equal(compiled.byKey, true);
    const details = (db.prepare(`EXPLAIN QUERY PLAN ${compiled.pageSql}`).all(...compiled.pageParams) as { detail: string }[]).map((r) => r.detail);
    // The keys are grouped (sorted) from the quantity index; the resource row is a per-key check, not a
    // join read for every match before an ORDER BY sort.
    assert.ok(details.some((d) => d.includes('USE TEMP B-TREE FOR GROUP BY')), details.join('\n'));
    assert.ok(details.every((d) => !d.includes('FOR ORDER BY') && !d.startsWith('SCAN d')), details.join('\n'));
    assert.ok(details.some((d) => d.includes('CORRELATED SCALAR SUBQUERY')), details.join('\n'));
  });

  it('gives every match once across pages both ways, a resource with two matching values included', async () => {
    const forward: string[] = [];
    const pages: SearchPage[] = [];
    let page = await store.search(pageOf(1));
    pages.push(page);
    forward.push(...page.resources.map((r) => r.id!));
    while (page.nextCursor) {
      page = await store.search({ ...pageOf(1), cursor: page.nextCursor });
      pages.push(page);
      forward.push(...page.resources.map((r) => r.id!));
    }
    assert.deepEqual([...forward].sort(), matching);
    assert.equal(pages.length, matching.length);
    const backward = page.resources.map((r) => r.id!);
    while (page.previousCursor) {
      page = await store.search({ ...pageOf(1), cursor: page.previousCursor });
      backward.unshift(...page.resources.map((r) => r.id!));
    }
    assert.deepEqual(backward, forward);
  });

  it('continues a key-order page in key order when the estimates now say walk', async () => {
    const first = await store.search(pageOf(2));
    assert.ok(first.nextCursor);
    const largeStore: RowEstimator = { rows: (_sql, limit) => limit, typeSize: () => 1_000_000 };
    const compiled = compileSearch({ ...pageOf(2), cursor: first.nextCursor }, paramId, largeStore);
    assert.equal(compiled.byKey, true);
    const rest = (db.prepare(compiled.pageSql).all(...compiled.pageParams) as { id: string }[]).map((r) => r.id);
    assert.deepEqual([...first.resources.map((r) => r.id!), ...rest].sort(), matching);
    // Without the cursor the same estimates walk the type in write order.
    assert.equal(compileSearch(pageOf(2), paramId, largeStore).byKey, false);
  });
});

