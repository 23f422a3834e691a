// The AuditEvents' lookup entries go to a small recent table and are merged into audit_event_targets in
// bulk (server/store/sqlite/audit-event-table.ts, docs/audit.md "Storage"). Whenever the merges happen
// (at any threshold, explicitly between batches, with the store closed and reopened in between, with
// archive purges among them), every search the lookup serves must answer exactly as when every entry is
// merged: patient, agent, entity (one id or several), paging, totals, a patient's own events, and
// _revinclude=AuditEvent:... from another type's search.
import type { AuditEvent } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { storeWriter } from '../../../server/audit/audit-trail';
import type { SearchPlan } from '../../../server/search/plan';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openSqliteStore, type EmbeddedStore } from '../../../server/store/adapters';
import { lookupEntriesSql, mergeRecentLookups } from '../../../server/store/sqlite/audit-event-table';
import { StatementCache } from '../../../server/store/sqlite/statement-cache';
import { auditEvent, patient } from '../../helpers/fixtures';
import { scratchDir } from '../../helpers/scratch-dir';
import { testRegistry, testSearchPlan } from '../../helpers/test-server';

const patients = ['p0', 'p1', 'p2', 'p3'];
const agentRef = fc.constantFrom('PractitionerRole/dr0', 'PractitionerRole/dr1', 'PractitionerRole/dr2', 'Patient/p1', 'Patient/p2');
// Versioned references and repeats: one lookup entry each (the key has no version).
const entityRef = fc.constantFrom(...patients.map((p) => `Patient/${p}`), 'Observation/o0', 'Observation/o1', 'Observation/o1/_history/2', 'Observation/o2');
const eventShape = fc.record({
  agents: fc.array(agentRef, { minLength: 1, maxLength: 2 }),
  entities: fc.array(entityRef, { maxLength: 3 }),
  minute: fc.integer({ min: 0, max: 59 }),
});
/** The merge threshold a store is opened with: a few entries, or never within the test. */
const threshold = fc.oneof(fc.integer({ min: 1, max: 24 }), fc.constant(1_000_000));
/** What happens after a batch: nothing, a merge on another connection, the store closed and reopened, or older events purged. */
const step = fc.record({
  size: fc.integer({ min: 1, max: 7 }),
  then: fc.constantFrom('none', 'none', 'merge', 'reopen', 'purge'),
  threshold,
  // How many of the events written so far are archived and purged (all, when more than were written).
  purge: fc.integer({ min: 0, max: 40 }),
});

function event(n: number, shape: { agents: string[]; entities: string[]; minute: number }): AuditEvent {
  const base = auditEvent(`e${String(n).padStart(3, '0')}`, shape.agents[0]);
  return {
    ...base,
    recorded: `2026-12-06T08:${String(shape.minute).padStart(2, '0')}:00Z`,
    agent: shape.agents.map((who, i) => ({ requestor: i === 0, who: { reference: who } })),
    entity: shape.entities.map((what) => ({ what: { reference: what } })),
  };
}

const queries = [
  ...patients.map((p) => `patient=Patient/${p}`),
  'patient=Patient/p0,Patient/p2',
  'agent=PractitionerRole/dr0',
  'agent=PractitionerRole/dr1,Patient/p1',
  'agent=Patient/p2',
  'entity=Observation/o1',
  'entity=Observation/o0,Patient/p3',
  'entity=Patient/p1',
];

/** Each page's ids (in order) through every page, 3 to a page, newest first, and the first page's total. */
async function pages(store: EmbeddedStore, plan: SearchPlan): Promise<{ pages: string[][]; total?: number }> {
  const found: string[][] = [];
  let page = await store.search(plan);
  const total = page.total;
  found.push(page.resources.map((r) => r.id as string));
  while (page.nextCursor) {
    page = await store.search({ ...plan, cursor: page.nextCursor });
    found.push(page.resources.map((r) => r.id as string));
  }
  return { pages: found, total };
}

/** Every answer the lookup serves, for comparison. */
async function answers(store: EmbeddedStore): Promise<unknown> {
  const result: Record<string, unknown> = {};
  for (const q of queries) {
    result[q] = await pages(store, testSearchPlan('AuditEvent', `${q}&_sort=-date&_total=accurate`, 3));
  }
  // A patient's own events: the restriction reads the lookup too (server/auth/policy/audit-visibility.ts).
  for (const p of ['p1', 'p3']) {
    const restriction = { byType: { AuditEvent: testSearchPlan('AuditEvent', `patient=Patient/${p}`).filters }, otherTypes: 'none' as const };
    result[`own ${p}`] = await pages(store, { ...testSearchPlan('AuditEvent', '_total=accurate', 4), restriction });
  }
  for (const spec of ['AuditEvent:patient', 'AuditEvent:agent', 'AuditEvent:entity']) {
    const page = await store.search(testSearchPlan('Patient', `_revinclude=${spec}`, 10));
    result[spec] = page.included.map((r) => r.id as string).sort();
  }
  return result;
}

/** The ids a reference search must find: events naming one of the targets through the parameter's elements. */
function expected(events: AuditEvent[], query: string): string[] {
  const [code, value] = query.split('=');
  const targets = value.split(',');
  const refs = (e: AuditEvent): string[] => {
    const agents = (e.agent ?? []).map((a) => a.who?.reference as string);
    const entities = (e.entity ?? []).map((x) => (x.what?.reference as string).replace(/\/_history\/.*/, ''));
    if (code === 'agent') return agents;
    if (code === 'entity') return entities;
    return [...agents, ...entities].filter((r) => r.startsWith('Patient/'));
  };
  return events.filter((e) => refs(e).some((r) => targets.includes(r))).map((e) => e.id as string).sort();
}

function lookupTables(file: string): { merged: number; recent: number; both: number; entries: unknown[] } {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return {
      merged: count('SELECT count(*) AS n FROM audit_event_targets'),
      recent: count('SELECT count(*) AS n FROM audit_event_recent_targets'),
      both: count('SELECT count(*) AS n FROM audit_event_targets JOIN audit_event_recent_targets USING (param_id, target_id, target_type, seq)'),
      entries: db.prepare(`SELECT * FROM (${lookupEntriesSql}) ORDER BY seq, param_id, target_id, target_type`).all(),
    };
  } finally {
    db.close();
  }
}

/** Merges the recent entries on a connection of its own, as another process could, in one transaction. */
function mergeNow(file: string): void {
  const db = new DatabaseSync(file);
  try {
    db.exec('BEGIN IMMEDIATE');
    mergeRecentLookups(new StatementCache(db));
    db.exec('COMMIT');
  } finally {
    db.close();
  }
}

describe('AuditEvent lookup entries merged in bulk', function () {
  this.timeout(300_000);
  const dir = scratchDir('audit-lookup-merge-');
  const open = (file: string, threshold: number): EmbeddedStore =>
    openSqliteStore({ file, synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 0, auditLookupMergeEntries: threshold });

  it('answers every lookup search as with every entry merged, whenever the merges, reopenings and purges happen', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(eventShape, { minLength: 1, maxLength: 40 }), fc.array(step, { minLength: 1, maxLength: 12 }), threshold, async (shapes, steps, firstThreshold) => {
        run++;
        const events = shapes.map((shape, n) => event(n, shape));
        const merging = path.join(dir(), `merging-${run}.sqlite`);
        const mergedOnce = path.join(dir(), `merged-once-${run}.sqlite`);
        // The same Patients first in both (positions 1 to 4), for _revinclude.
        let store = open(merging, firstThreshold);
        const other = open(mergedOnce, 1_000_000);
        try {
          for (const s of [store, other]) for (const p of patients) await s.update(patient({ id: p }));
          let written = 0;
          let purgedUpTo = 0;
          let purgedEvents = 0;
          for (const s of steps) {
            if (written === events.length) break;
            const batch = events.slice(written, written + s.size);
            await storeWriter(store)(batch);
            written += batch.length;
            if (s.then === 'merge') mergeNow(merging);
            if (s.then === 'reopen') {
              await store.close();
              store = open(merging, s.threshold);
            }
            if (s.then === 'purge') {
              // Events take positions 5, 6, ... in the order written.
              const upTo = Math.max(purgedUpTo, 4 + Math.min(s.purge, written));
              if (upTo > purgedUpTo) {
                await store.purgeAuditEvents!({ position: String(upTo), auditHash: 'archived', events: upTo - Math.max(purgedUpTo, 4) });
                purgedEvents = upTo - 4;
                purgedUpTo = upTo;
              }
            }
          }
          // The other store: the same events in one batch, every entry merged, the same purge at the end.
          await storeWriter(other)(events.slice(0, written));
          mergeNow(mergedOnce);
          if (purgedUpTo > 0) await other.purgeAuditEvents!({ position: String(purgedUpTo), auditHash: 'archived', events: purgedEvents });

          const tables = lookupTables(merging);
          const reference = lookupTables(mergedOnce);
          assert.equal(tables.both, 0, 'an entry is in one of the two tables, never both');
          assert.equal(reference.recent, 0);
          assert.deepEqual(tables.entries, reference.entries);
          const found = (await answers(store)) as Record<string, { pages: string[][] }>;
          assert.deepEqual(found, await answers(other));
          const left = events.slice(purgedEvents, written);
          for (const q of queries) {
            assert.deepEqual(found[q].pages.flat().sort(), expected(left, q), q);
          }
        } finally {
          await store.close();
          await other.close();
        }
      }),
      { numRuns: 60 }
    );
  });

  it('merges once the recent table holds the threshold, in the batch’s transaction', async () => {
    const file = path.join(dir(), 'threshold.sqlite');
    const store = open(file, 10);
    try {
      const write = storeWriter(store);
      // Three entries each: the clinician, the Observation and the Patient.
      const three = (n: number): AuditEvent => event(n, { agents: ['PractitionerRole/dr0'], entities: [`Observation/o${n}`, 'Patient/p1'], minute: n });
      await write([three(0), three(1), three(2)]);
      assert.deepEqual([lookupTables(file).merged, lookupTables(file).recent], [0, 9]);
      await write([three(3)]);
      assert.deepEqual([lookupTables(file).merged, lookupTables(file).recent], [12, 0]);
      await write([three(4)]);
      assert.deepEqual([lookupTables(file).merged, lookupTables(file).recent], [12, 3]);
    } finally {
      await store.close();
    }
  });
});
