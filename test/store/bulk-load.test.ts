// Bulk loads on the embedded store: the search tables' lookup indexes are set aside during the load and
// built once at the end (also when the load fails), and a load that stopped half-way has them rebuilt
// when the store is next opened, before anything is served.
import type { Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { deferLookupIndexes } from '../../server/store/sqlite/bulk-load';
import { createTestServer, fhirJson, fileStore } from '../helpers/test-server';

const lookupIndexes = (file: string): string[] => {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db
      // Constraint indexes (idx_unique's UNIQUE) have no sql and are never set aside.
      .prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'idx%' AND name NOT LIKE '%key' AND sql IS NOT NULL ORDER BY name")
      .all() as { name: string }[];
    return rows.map((r) => r.name);
  } finally {
    db.close();
  }
};

const observation = (i: number): Observation => ({
  resourceType: 'Observation',
  id: `bulk-${i}`,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code: i % 2 ? '8480-6' : '8462-4' }] },
  subject: { reference: `Patient/p${i % 7}` },
  effectiveDateTime: `2025-0${1 + (i % 9)}-15`,
});

describe('SQLite store: bulk loads', function () {
  this.timeout(20_000);
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bulk-'));
    file = path.join(dir, 'fhir.sqlite');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('sets the lookup indexes aside while loading and builds them at the end, so searches find the load', async () => {
    const store = fileStore(file);
    const all = lookupIndexes(file);
    assert.ok(all.includes('idx_token_lookup') && all.includes('idx_date_high'), all.join());
    await store.bulkLoad(async () => {
      // All but the reference lookup, which the write rules' searches need as each Bundle is written.
      assert.deepEqual(lookupIndexes(file), ['idx_reference_lookup'], 'set aside during the load');
      await store.transaction(async (tx) => {
        for (let i = 0; i < 200; i++) {
          await tx.update(observation(i));
        }
      });
    });
    assert.deepEqual(lookupIndexes(file), all);
    const server = createTestServer({ store });
    try {
      const found = await server.http.get('/Observation?code=8480-6&date=ge2025-05-01&_summary=count').set('Accept', fhirJson);
      const expected = Array.from({ length: 200 }, (_, i) => i).filter((i) => i % 2 && 1 + (i % 9) >= 5).length;
      assert.equal(found.body.total, expected);
    } finally {
      await server.close();
    }
  });

  it('builds them again when the load fails, and the failure is the caller’s to see', async () => {
    const store = fileStore(file);
    const all = lookupIndexes(file);
    try {
      await assert.rejects(
        store.bulkLoad(async () => {
          throw new Error('the generator broke');
        }),
        /the generator broke/
      );
      assert.deepEqual(lookupIndexes(file), all);
    } finally {
      await store.close();
    }
  });

  it('rebuilds indexes a stopped load left aside when the store is next opened', async () => {
    const first = fileStore(file);
    const all = lookupIndexes(file);
    await first.transaction(async (tx) => {
      await tx.update(observation(1));
    });
    await first.close();
    // A load that stopped after setting the indexes aside.
    const raw = new DatabaseSync(file);
    assert.equal(deferLookupIndexes(raw), all.length - 1);
    raw.close();
    assert.deepEqual(lookupIndexes(file), ['idx_reference_lookup']);

    const reopened = fileStore(file);
    assert.deepEqual(lookupIndexes(file), all);
    const server = createTestServer({ store: reopened });
    try {
      const found = await server.http.get('/Observation?code=8480-6');
      assert.deepEqual(found.body.entry.map((e: { resource: Observation }) => e.resource.id), ['bulk-1']);
    } finally {
      await server.close();
    }
  });
});
