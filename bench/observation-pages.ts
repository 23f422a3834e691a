// What one Observation costs the SQLite store: its index rows per table, the WAL frames (4 KiB pages) its
// create writes, and the bytes it takes once stored. Creates blood-pressure panels (two components) and
// single lab values one by one into a fresh file store, in process (no HTTP, auditing or Provenance), and
// after each create counts the frames the WAL holds (a checkpoint from a second connection empties it
// between creates). Deterministic: it counts, it does not time. docs/performance.md, "Union parameters".
// Usage: node dist/bench/observation-pages.js [--count 3000]
import type { Observation } from '@medplum/fhirtypes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { loadResourceDefinitions } from '../server/fhir/resource-definitions';
import { SearchParameterRegistry } from '../server/search/indexing/registry';
import { createResourceIndexer } from '../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../server/store/adapters';
import { commandLineFlags } from './options';

const usage = 'Usage: node dist/bench/observation-pages.js [--count 3000]';
const loinc = 'http://loinc.org';
const category = (code: string): Observation['category'] => [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code }] }];
const quantity = (value: number, code: string): Observation['valueQuantity'] => ({ value, unit: code, system: 'http://unitsofmeasure.org', code });
const effective = (i: number): string => `2026-0${1 + (i % 9)}-1${i % 10}T08:00:00+08:00`;

const kinds: { name: string; make: (i: number) => Observation }[] = [
  {
    name: 'blood-pressure panel',
    make: (i) => ({
      resourceType: 'Observation',
      status: 'final',
      category: category('vital-signs'),
      code: { coding: [{ system: loinc, code: '85354-9', display: 'Blood pressure panel' }] },
      subject: { reference: `Patient/p${i % 500}` },
      effectiveDateTime: effective(i),
      component: [
        { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: quantity(110 + (i % 50), 'mm[Hg]') },
        { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: quantity(70 + (i % 30), 'mm[Hg]') },
      ],
    }),
  },
  {
    name: 'single lab value',
    make: (i) => ({
      resourceType: 'Observation',
      status: 'final',
      category: category('laboratory'),
      code: { coding: [{ system: loinc, code: ['2093-3', '14771-0', '4548-4'][i % 3] }] },
      subject: { reference: `Patient/p${i % 500}` },
      effectiveDateTime: effective(i),
      valueQuantity: quantity(3 + (i % 70) / 10, 'mmol/L'),
    }),
  },
];

const indexTables = ['idx_token', 'idx_quantity', 'idx_composite', 'idx_date', 'idx_reference', 'idx_string', 'idx_uri', 'idx_number'];

async function measure(kind: (typeof kinds)[number], count: number): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'observation-pages-'));
  const file = path.join(dir, 'fhir.sqlite');
  try {
    const indexer = createResourceIndexer(new SearchParameterRegistry());
    let store = openSqliteStore({ file, synchronous: 'NORMAL', indexer });
    await store.update({ resourceType: 'Organization', id: 'o', name: 'baseline' });
    await store.close();
    store = openSqliteStore({ file, synchronous: 'NORMAL', indexer });
    const checkpointer = new DatabaseSync(file);
    const checkpoint = checkpointer.prepare('PRAGMA wal_checkpoint(PASSIVE)');
    // The first creates fill the b-trees' first pages; the frames are counted once they have some depth.
    const settled = Math.floor(count / 6);
    let frames = 0;
    for (let i = 0; i < count; i++) {
      checkpoint.get();
      await store.create({ ...kind.make(i), id: `o-${i}` });
      const { log } = checkpoint.get() as { log: number };
      if (i >= settled) frames += log;
    }
    checkpointer.close();
    await store.close();
    const db = new DatabaseSync(file);
    const rows = indexTables
      .map((table) => [table.slice(4), (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n / count] as const)
      .filter(([, n]) => n >= 0.05)
      .map(([table, n]) => `${table} ${n.toFixed(1)}`);
    const pages = (db.prepare('PRAGMA page_count').get() as { page_count: number }).page_count - (db.prepare('PRAGMA freelist_count').get() as { freelist_count: number }).freelist_count;
    db.close();
    return `${kind.name}: ${(frames / (count - settled)).toFixed(1)} WAL frames a create, ${((pages * 4096) / count).toFixed(0)} bytes stored each; index rows each: ${rows.join(', ')}`;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  let count = 3000;
  for (const { flag, value } of commandLineFlags(process.argv.slice(2), usage)) {
    if (flag === '--count') count = Number(value());
    else throw new Error(`unknown flag ${flag}\n${usage}`);
  }
  loadResourceDefinitions();
  for (const kind of kinds) {
    console.log(await measure(kind, count));
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
