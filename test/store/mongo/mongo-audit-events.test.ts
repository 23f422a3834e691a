// The MongoDB adapter's AuditEvent collection (server/store/mongo/audit-events.ts), on the adapter's own
// code over collections evaluated with mingo: one document per event, none in `resources` or
// `resource_history`; and the start-up move of events an older server stored as resources, chains intact.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { auditLink, versionHash } from '../../../server/audit/chain-hash';
import { storeWriter } from '../../../server/audit/audit-trail';
import { eventTexts, parseEventLines } from '../../../server/audit/audit-worker-writer';
import { verifyChains } from '../../../server/audit/verify-chain';
import { isResourceType } from '../../../server/fhir/resource-definitions';
import { parseSearch } from '../../../server/search/parse-search';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openMongoStoreOn } from '../../../server/store/adapters';
import { moveStoredAuditEvents, type AuditEventDocument } from '../../../server/store/mongo/audit-events';
import { currentDocument, nextSeq } from '../../../server/store/mongo/documents';
import { mingoBackend } from '../../helpers/mingo-backend';
import { testBaseUrl, testRegistry } from '../../helpers/test-server';

const event = (id: string, patient: string, recorded: string): AuditEvent => ({
  resourceType: 'AuditEvent',
  id,
  type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
  action: 'R',
  recorded,
  outcome: '0',
  agent: [{ who: { reference: 'PractitionerRole/dr-1' }, requestor: true }],
  source: { observer: { display: 'server' } },
  entity: [{ what: { reference: `Patient/${patient}` } }],
});

const searchPlan = (query: string): ReturnType<typeof parseSearch>['plan'] =>
  parseSearch('AuditEvent', new URLSearchParams(query), 20, { registry: testRegistry(), baseUrl: testBaseUrl, isResourceType }).plan;

describe('MongoDB store: the AuditEvent collection', () => {
  const indexer = createResourceIndexer(testRegistry());

  it('stores an event as one document of its own, found by read, search and history', async () => {
    const backend = mingoBackend();
    const store = openMongoStoreOn(backend, indexer);
    await store.update(event('a1', 'p1', '2026-12-01T08:00:00Z'));
    assert.equal((await store.update(event('a1', 'p1', '2026-12-01T08:00:00Z'))).outcome, 'unchanged');
    await assert.rejects(store.update({ ...event('a1', 'p1', '2026-12-01T08:00:00Z'), action: 'D' }), (err: { status?: number }) => err.status === 409);
    assert.equal(await backend.current.countDocuments({}), 0);
    assert.equal(await backend.versions.countDocuments({}), 0);
    assert.equal(await backend.auditEvents.countDocuments({}), 1);
    assert.equal((await store.readVersion('AuditEvent', 'a1', '1'))?.resource?.id, 'a1');
    assert.deepEqual((await store.search(searchPlan('patient=Patient/p1'))).resources.map((r) => r.id), ['a1']);
    assert.deepEqual((await store.history({ count: 10 })).versions.map((v) => v.id), ['a1']);
  });

  it('moves the events an older server stored as resources, with their positions and chain links', async () => {
    const backend = mingoBackend();
    let link: string | null = null;
    const positions: string[] = [];
    for (const [i, stored] of [event('a1', 'p1', '2026-12-01T08:00:00Z'), event('a2', 'p2', '2026-12-01T09:00:00Z')].entries()) {
      const lu = Date.parse('2026-12-01T10:00:00Z') + i;
      const resource = { ...stored, meta: { versionId: '1', lastUpdated: new Date(lu).toISOString() } };
      const seq = nextSeq(lu);
      positions.push(seq);
      const doc = currentDocument({ resourceType: 'AuditEvent', id: stored.id as string, versionId: '1', lastUpdated: new Date(lu).toISOString(), deleted: false, resource }, seq, indexer(resource));
      const h = versionHash(null, { resourceType: 'AuditEvent', id: stored.id as string, versionId: 1, lastUpdated: lu, deleted: false, author: null, content: doc.json as string });
      link = auditLink(link, h);
      await backend.current.insertOne({ ...doc, h });
      await backend.versions.insertOne({ _id: `${doc._id}/1`, key: doc._id, type: 'AuditEvent', id: doc.id, vid: 1, lu, seq, deleted: false, json: doc.json, h, ah: link });
    }
    assert.equal(await moveStoredAuditEvents(backend.current, backend.versions, backend.auditEvents as never), 2);
    assert.equal(await backend.current.countDocuments({}), 0);
    assert.equal(await backend.versions.countDocuments({}), 0);
    const moved = (await backend.auditEvents.find({}).toArray()) as AuditEventDocument[];
    assert.deepEqual(moved.map((d) => d.seq).sort(), positions);
    const store = openMongoStoreOn(backend, indexer);
    const report = await verifyChains(store, {});
    assert.deepEqual([report.verified, report.breaks.length], [2, 0]);
    assert.deepEqual((await store.search(searchPlan('patient=Patient/p2'))).resources.map((r) => r.id), ['a2']);
    // The next event goes on from the moved chain's head.
    await store.update(event('a3', 'p1', '2026-12-01T11:00:00Z'));
    const records = await store.chainRecords({ resourceType: 'AuditEvent', limit: 10 });
    assert.equal(records[2].previousAuditHash, link);
    assert.equal((await verifyChains(store, {})).breaks.length, 0);
  });

  describe('the audit writer’s batch append', () => {
    /** The stored documents without their positions (a fresh ObjectId each), in write order. */
    const documents = async (backend: ReturnType<typeof mingoBackend>): Promise<Omit<AuditEventDocument, 'seq'>[]> =>
      ((await backend.auditEvents.find({}).sort({ seq: 1 }).toArray()) as AuditEventDocument[]).map(({ seq: _seq, ...rest }) => rest);
    const batchOf = (from: number, to: number): AuditEvent[] => Array.from({ length: to - from }, (_, i) => event(`b${from + i}`, `p${(from + i) % 3}`, '2026-12-01T08:00:00.000Z'));
    let realNow: () => number;
    beforeEach(() => {
      realNow = Date.now;
      Date.now = () => Date.parse('2026-12-07T05:00:00.000Z');
    });
    afterEach(() => {
      Date.now = realNow;
    });

    it('stores a batch with one ordered insertMany, as one by one: documents, search entries, chain', async () => {
      const backend = mingoBackend();
      let inserts = 0;
      const insertMany = backend.auditEvents.insertMany.bind(backend.auditEvents);
      backend.auditEvents.insertMany = ((docs: never[], options: never) => {
        inserts++;
        return insertMany(docs, options);
      }) as never;
      const store = openMongoStoreOn(backend, indexer);
      await store.update(event('first', 'p1', '2026-12-01T07:00:00.000Z'));
      // Half the batch as objects, half as the writer thread receives them (text and entries).
      const events = batchOf(0, 10);
      await storeWriter(store)([...events.slice(0, 5), ...eventTexts(events.slice(5)).flatMap(parseEventLines)]);
      assert.equal(inserts, 1);
      const oneByOne = mingoBackend();
      const single = openMongoStoreOn(oneByOne, indexer);
      await single.update(event('first', 'p1', '2026-12-01T07:00:00.000Z'));
      for (const e of events) await single.update(e);
      assert.deepEqual(await documents(backend), await documents(oneByOne));
      const stored = (await backend.auditEvents.find({}).sort({ seq: 1 }).toArray()).map((d) => d.id);
      assert.deepEqual(stored, ['first', ...events.map((e) => e.id)], 'positions in the batch’s order');
      assert.deepEqual((await verifyChains(store, {})).breaks, []);
      assert.deepEqual((await store.search(searchPlan('patient=Patient/p2'))).resources.map((r) => r.id).sort(), ['b2', 'b5', 'b8']);
    });

    it('leaves a batch written again unchanged and stores its new events after the stored ones', async () => {
      const backend = mingoBackend();
      const store = openMongoStoreOn(backend, indexer);
      const write = storeWriter(store);
      await write(batchOf(0, 3));
      // An unacknowledged commit: the buffer writes the batch again, with the events recorded since.
      await write(eventTexts(batchOf(0, 5)).flatMap(parseEventLines));
      const stored = (await backend.auditEvents.find({}).sort({ seq: 1 }).toArray()).map((d) => d.id);
      assert.deepEqual(stored, ['b0', 'b1', 'b2', 'b3', 'b4']);
      const report = await verifyChains(store, {});
      assert.deepEqual([report.breaks, report.verified], [[], 5]);
    });

    it('refuses a changed event with nothing of its batch written', async () => {
      const backend = mingoBackend();
      const store = openMongoStoreOn(backend, indexer);
      const write = storeWriter(store);
      await write(batchOf(0, 2));
      const changed = { ...batchOf(1, 2)[0], action: 'D' as const };
      await assert.rejects(write([...batchOf(2, 4), changed]), (err: { status?: number }) => err.status === 409);
      assert.deepEqual((await backend.auditEvents.find({}).toArray()).map((d) => d.id).sort(), ['b0', 'b1']);
    });
  });
});
