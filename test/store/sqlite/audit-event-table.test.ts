// The audit writer's batch append (AuditEventTable.appendAll, server/store/sqlite/audit-event-table.ts):
// a batch's rows and lookup entries in a few multi-row statements must store exactly what appending the
// events one by one stores (the same rows, positions in the order shared with resource versions, the
// same chain, the same lookup entries), and keep the one-by-one semantics for an id stored already.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { storeWriter } from '../../../server/audit/audit-trail';
import { verifyChains } from '../../../server/audit/verify-chain';
import { openSqliteStore } from '../../../server/store/adapters';
import type { ResourceStore } from '../../../server/store/port';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { lookupEntriesSql } from '../../../server/store/sqlite/audit-event-table';
import { registerAuditText } from '../../../server/store/sqlite/audit-packed-text';
import { auditEvent, patient } from '../../helpers/fixtures';
import { testRegistry } from '../../helpers/test-server';

/** Event n: read by one of 7 clinicians, about one of 11 patients (so that lookup keys repeat and interleave). */
function event(n: number): AuditEvent {
  const base = auditEvent(`e${String(n).padStart(4, '0')}`, `PractitionerRole/dr-${n % 7}`);
  return { ...base, entity: [{ what: { reference: `Observation/o${n}` } }, { what: { reference: `Patient/p${n % 11}` } }] };
}

interface StoredRow {
  seq: number;
  id: string;
  version_id: number;
  deleted: number;
  current: number;
  date_low: number | null;
  date_high: number | null;
  tokens: string;
  refs: string;
  author: string | null;
  hash: string;
  audit_hash: string;
  content: string;
}

/** The audit table's rows and lookup entries, read as the server reads them (the JSON, not the packed form). */
function tables(file: string): { rows: StoredRow[]; targets: { param_id: number; target_id: string; target_type: string; seq: number }[] } {
  const db = new DatabaseSync(file, { readOnly: true });
  registerAuditText(db);
  try {
    const rows = db
      .prepare(
        `SELECT seq, id, version_id, deleted, current, date_low, date_high, audit_text(tokens) AS tokens, audit_text(refs) AS refs, author, hash, audit_hash,
           audit_text(content) AS content FROM audit_events ORDER BY seq`
      )
      .all() as unknown as StoredRow[];
    const targets = db.prepare(`SELECT param_id, target_id, target_type, seq FROM (${lookupEntriesSql}) ORDER BY seq, param_id, target_id`).all() as never[];
    return { rows, targets };
  } finally {
    db.close();
  }
}

/** A row without what depends on the instant it was written (its time, its hashes and links). */
const timeless = (row: StoredRow): Omit<StoredRow, 'hash' | 'audit_hash' | 'content'> & { content: string } => {
  const { hash: _hash, audit_hash: _link, content, ...rest } = row;
  return { ...rest, content: content.replace(/"lastUpdated":"[^"]+"/, '') };
};

describe('the audit table’s batch append', () => {
  let dir: string;
  let store: ResourceStore;
  const file = (): string => path.join(dir, 'fhir.sqlite');
  const open = (name = 'fhir.sqlite'): ResourceStore =>
    openSqliteStore({ file: path.join(dir, name), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 0 });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-batch-'));
    store = open();
  });
  afterEach(async () => {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores what appending one by one stores: rows, positions after the resource versions, lookup entries', async () => {
    // 300 events: rows in statements of 64, 32, 8 and 4 rows, lookup entries in statements of up to 256.
    const events = Array.from({ length: 300 }, (_, n) => event(n));
    const write = storeWriter(store);
    await store.create(patient({ id: 'p-first' }));
    await write(events.slice(0, 100));
    await write(events.slice(100, 137));
    await store.create(patient({ id: 'p-between' }));
    await write(events.slice(137, 138));
    await write(events.slice(138));
    // The same events, each by its own update, in another store with the same resource versions.
    const oneByOne = open('one-by-one.sqlite');
    try {
      await oneByOne.create(patient({ id: 'p-first' }));
      for (const e of events.slice(0, 137)) await oneByOne.update(e);
      await oneByOne.create(patient({ id: 'p-between' }));
      for (const e of events.slice(137)) await oneByOne.update(e);
    } finally {
      await oneByOne.close();
    }
    const batched = tables(file());
    const single = tables(path.join(dir, 'one-by-one.sqlite'));
    assert.equal(batched.rows.length, 300);
    assert.deepEqual(batched.rows.map(timeless), single.rows.map(timeless));
    assert.deepEqual(batched.targets, single.targets);
    assert.equal(batched.targets.length, 900, 'the clinician, the Observation and the Patient of each event');
    // One write order with the resource versions: 1 is p-first, 139 p-between.
    assert.deepEqual(
      batched.rows.map((r) => r.seq),
      [...Array.from({ length: 137 }, (_, i) => i + 2), ...Array.from({ length: 163 }, (_, i) => i + 140)]
    );
    const report = await verifyChains(store, {});
    assert.deepEqual([report.breaks, report.verified, report.versions], [[], 302, 302]);
    const stored = await store.readCurrent('AuditEvent', 'e0042');
    assert.deepEqual({ ...stored?.resource, meta: undefined }, { ...events[42], meta: undefined });
  });

  it('leaves a batch written again unchanged, stores its new events after the stored ones and chains them', async () => {
    const write = storeWriter(store);
    await write([event(1), event(2), event(3)]);
    // An unacknowledged commit: the buffer writes the batch again, with the events recorded since.
    await write([event(1), event(2), event(3), event(4), event(5)]);
    await write([event(3), event(6)]);
    const { rows } = tables(file());
    assert.deepEqual(rows.map((r) => [r.seq, r.id]), [[1, 'e0001'], [2, 'e0002'], [3, 'e0003'], [4, 'e0004'], [5, 'e0005'], [6, 'e0006']]);
    const report = await verifyChains(store, {});
    assert.deepEqual([report.breaks, report.verified], [[], 6]);
  });

  it('refuses a different event under a stored id and writes nothing of its batch', async () => {
    const write = storeWriter(store);
    await write([event(1)]);
    const changed = { ...event(1), outcome: '4' as const };
    await assert.rejects(write([event(2), changed]), /never changed/);
    assert.deepEqual(tables(file()).rows.map((r) => r.id), ['e0001']);
  });

  it('takes positions after an archive boundary and chains to its link', async () => {
    const write = storeWriter(store);
    await write([event(1), event(2)]);
    await store.create(patient({ id: 'p-newest' }));
    const [, last] = await store.chainRecords({ resourceType: 'AuditEvent', limit: 2 });
    // Every event archived (its rows purged): the next batch goes on from the boundary.
    assert.equal(await store.purgeAuditEvents?.({ position: last.position, auditHash: last.auditHash as string, events: 2 }), 2);
    await write([event(3), event(4)]);
    const records = await store.chainRecords({ resourceType: 'AuditEvent', limit: 10 });
    assert.deepEqual(records.map((r) => [r.position, r.id]), [['4', 'e0003'], ['5', 'e0004']]);
    assert.equal(records[0].previousAuditHash, last.auditHash);
    const report = await verifyChains(store, {});
    assert.deepEqual([report.breaks, report.verified], [[], 3]);
  });
});
