// The SQLite store's read threads (server/store/sqlite/read-pool/): which reads they answer, that the
// server keeps answering while one of them is busy, that a read sees every write committed before it,
// and what a thread that dies does to its reads. A search is held inside SQLite by a test SQL function
// (test/helpers/hold-search.ts) until the test lets it go: the order of answers is certain, not timed.
import type { Bundle, OperationOutcome, Patient, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { referencedPatients } from '../../server/auth/enforcement';
import { unparsedTextOf } from '../../server/json/lazy-resource';
import { storedTextOf } from '../../server/json/stored-text';
import { holdsKeptNumbers, parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../../server/json/number-text';
import { FhirError } from '../../server/outcomes';
import type { SearchPlan } from '../../server/search/plan';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore, type EmbeddedStore } from '../../server/store/adapters';
import { patient } from '../helpers/fixtures';
import { crash, go, holdMarker, holdState, letGo, searchHeld, slot } from '../helpers/hold-search';
import { createTestServer, fhirJson, memoryStore, testRegistry, testSearchPlan, type TestServer } from '../helpers/test-server';

const planOf = (resourceType: string, query: string): SearchPlan =>
  testSearchPlan(resourceType, query, 10);

/** Settles with `promise`, and tells whether it has. */
function watched<T>(promise: PromiseLike<T>): { answered: () => boolean; result: Promise<T> } {
  let answered = false;
  const result = Promise.resolve(promise).finally(() => (answered = true));
  return { answered: () => answered, result };
}

const calls = (state: Int32Array): number => Atomics.load(state, slot.calls);

describe('SQLite store read threads', function () {
  this.timeout(60_000);
  let dir: string;
  let state: Int32Array;
  let store: EmbeddedStore;

  /** A store on a file whose read threads hold `:contains=holdhere` searches. */
  const openStore = (readThreads: number): EmbeddedStore =>
    openSqliteStore({
      file: path.join(dir, 'fhir.sqlite'),
      synchronous: 'NORMAL',
      indexer: createResourceIndexer(testRegistry()),
      readThreads,
      readThreadSetup: { module: path.join(__dirname, '..', 'helpers', 'hold-search.js'), data: state.buffer },
    });

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-read-pool-'));
    state = holdState();
  });
  afterEach(async () => {
    // A test that failed half-way may have left a search held.
    letGo(state, go);
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('in the store', () => {
    it('answers searches on its thread, and reads by id, writes and transactions (with their own searches) here', async () => {
      store = openStore(1);
      const wang = await store.create(patient({ id: 'wang', name: [{ family: 'Wang', given: ['Wei'] }] }));
      const held = watched(store.search(planOf('Patient', `name:contains=${holdMarker}`)));
      await searchHeld(state);
      // The only thread is busy: everything below answering proves it runs on the server's thread.
      assert.equal((await store.readCurrent('Patient', 'wang'))?.versionId, wang.versionId);
      assert.equal((await store.readVersion('Patient', 'wang', '1'))?.id, 'wang');
      await store.update(patient({ id: 'wang', name: [{ family: 'Wang', given: ['Wei'] }], active: true }));
      const seen = calls(state);
      const inside = await store.transaction(async (tx) => {
        await tx.create(patient({ id: 'wanda', name: [{ family: 'Wanda' }] }));
        // The transaction's own search sees its uncommitted create: the writer's connection, on this thread.
        return (await tx.search(planOf('Patient', 'name:contains=wan'))).resources.map((r) => r.id).sort();
      });
      assert.deepEqual(inside, ['wanda', 'wang']);
      assert.equal(calls(state), seen, 'the transaction searched on no read thread');
      assert.notEqual(await store.changeMarker(['Patient']), '0');
      // A search queues behind the held one on the only thread.
      const queued = watched(store.search(planOf('Patient', 'name:contains=wan')));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(held.answered(), false);
      assert.equal(queued.answered(), false);
      letGo(state, go);
      assert.deepEqual((await held.result).resources, []);
      const after = await queued.result;
      assert.deepEqual(after.resources.map((r) => r.id).sort(), ['wanda', 'wang'], 'it sees what was committed before it was sent');
      assert.ok(calls(state) > seen, 'the search ran on the read thread');
      assert.equal(after.resources.find((r) => r.id === 'wang')?.resource?.meta?.versionId, '2');
    });

    it('keeps the written text of decimals across the thread, found there, and of nothing else', async () => {
      store = openStore(1);
      const weight = { resourceType: 'Observation', id: 'w1', status: 'final', code: { text: 'weight 1.50, kg' }, valueQuantity: { value: 1.5, unit: 'kg' } };
      const written = JSON.stringify(weight).replace('"value":1.5', '"value":1.50');
      await store.create(parseJsonKeepingNumbers(written) as Resource);
      await store.create({ resourceType: 'Observation', id: 'w2', status: 'final', code: { text: 'plain' }, valueQuantity: { value: 72 } } as Resource);
      const page = await store.search(planOf('Observation', '_count=10'));
      const byId = new Map(page.resources.map((v) => [v.id, v.resource as Resource]));
      assert.match(stringifyKeepingNumbers(byId.get('w1')), /"value":1\.50[,}]/);
      assert.equal(holdsKeptNumbers(byId.get('w1')), true);
      assert.equal(holdsKeptNumbers(byId.get('w2')), false, 'a text whose numbers print as written is parsed plainly');
    });

    it('sends a page of resources unparsed, parsed on first use into what a read on the server thread gives', async () => {
      store = openStore(1);
      const written: Resource[] = [
        { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'w' }, subject: { reference: 'Patient/p1' }, valueQuantity: { value: 1.5 } },
        { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'c' }, contained: [{ resourceType: 'Patient', id: 'c', link: [{ other: { reference: 'Patient/p9' }, type: 'seealso' }] }], subject: { reference: 'Patient/p2' } },
      ] as Resource[];
      for (const resource of written) {
        await store.create(resource);
      }
      const pooled = await store.search(planOf('Observation', '_count=10'));
      assert.deepEqual(pooled.resources.map((v) => unparsedTextOf(v.resource!) !== undefined), [true, true]);
      assert.deepEqual(pooled.resources.map((v) => referencedPatients(v.resource!)), [['p1'], ['p2']]);
      await store.close();
      store = openStore(0);
      const here = await store.search(planOf('Observation', '_count=10'));
      // The server thread reads lazily too (sqlite-operations.ts, 'lazy'): the same texts, parsed alike.
      assert.deepEqual(here.resources.map((v) => unparsedTextOf(v.resource!) !== undefined), [true, true]);
      assert.deepEqual(here.resources.map((v) => referencedPatients(v.resource!)), [['p1'], ['p2']]);
      assert.deepEqual(pooled.resources.map((v) => stringifyKeepingNumbers(v.resource)), here.resources.map((v) => stringifyKeepingNumbers(v.resource)));
      assert.deepEqual(pooled.resources.map((v) => storedTextOf(v.resource)), here.resources.map((v) => storedTextOf(v.resource)));
    });

    it('reads by id and version on the server thread parsed on first use, as the stored text it sends', async () => {
      store = openStore(1);
      const written = JSON.stringify({ resourceType: 'Observation', id: 'w3', status: 'final', code: { text: 'weight' }, valueQuantity: { value: 1.5 } }).replace('"value":1.5', '"value":1.50');
      await store.create(parseJsonKeepingNumbers(written) as Resource);
      const current = (await store.readCurrent('Observation', 'w3'))!;
      const first = (await store.readVersion('Observation', 'w3', '1'))!;
      for (const version of [current, first]) {
        const text = unparsedTextOf(version.resource!);
        assert.ok(text !== undefined, 'not parsed by the read');
        assert.equal(storedTextOf(version.resource), text);
        assert.equal(version.resource!.id, 'w3');
        assert.ok(unparsedTextOf(version.resource!) !== undefined, 'the id is answered without parsing');
        assert.match(stringifyKeepingNumbers(version.resource), /"value":1\.50[,}]/);
        assert.equal(unparsedTextOf(version.resource!), undefined, 'parsed once asked for more');
        assert.equal(version.resource!.meta?.versionId, '1');
      }
    });

    it('sends typed errors back as they were thrown: a bad cursor is still a 400', async () => {
      store = openStore(1);
      await assert.rejects(store.search({ ...planOf('Patient', 'name:contains=wan'), cursor: 'not-a-cursor' }), (err: unknown) => {
        assert.ok(err instanceof FhirError);
        assert.equal(err.status, 400);
        assert.deepEqual(err.outcome.issue?.[0]?.expression, ['_cursor']);
        return true;
      });
    });

    it('answers the reads sent before close, then closes its threads', async () => {
      store = openStore(2);
      await store.create(patient({ id: 'wang', name: [{ family: 'Wang' }] }));
      const before = store.search(planOf('Patient', 'name:contains=wan'));
      await store.close();
      assert.deepEqual((await before).resources.map((r) => r.id), ['wang']);
      await assert.rejects(store.search(planOf('Patient', 'name:contains=wan')), /closed/);
      store = openStore(0);
    });

    it('reads on the server thread with no read threads, and always in memory', async () => {
      for (const open of [(): EmbeddedStore => openStore(0), (): EmbeddedStore => memoryStore()]) {
        store = open();
        await store.create(patient({ id: 'wang', name: [{ family: 'Wang' }] }));
        const page = await store.search(planOf('Patient', 'name:contains=wan'));
        assert.deepEqual(page.resources.map((r) => r.id), ['wang']);
        assert.equal(calls(state), 0, 'no read thread judged a row');
        await store.close();
      }
      store = openStore(0);
    });
  });

  describe('over HTTP', () => {
    let server: TestServer;
    beforeEach(() => {
      store = openStore(2);
      server = createTestServer({ store });
    });

    const create = async (body: Patient): Promise<Patient> => {
      const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(body);
      assert.equal(res.status, 201, res.text);
      return res.body as Patient;
    };

    it('answers a read, another search, a write and the CapabilityStatement while an expensive search is still running', async () => {
      const wang = await create(patient({ name: [{ family: 'Wang' }] }));
      const held = watched(server.http.get(`/Patient?name:contains=${holdMarker}`));
      await searchHeld(state);
      assert.equal((await server.http.get(`/Patient/${wang.id}`)).status, 200);
      assert.equal((await server.http.get('/metadata')).status, 200);
      const other = await server.http.get('/Patient?family=wang');
      assert.equal(other.status, 200);
      assert.deepEqual((other.body as Bundle).entry?.map((e) => e.resource?.id), [wang.id]);
      await create(patient({ name: [{ family: 'Li' }] }));
      assert.equal(held.answered(), false, 'the expensive search is still running');
      letGo(state, go);
      const res = await held.result;
      assert.equal(res.status, 200);
      assert.deepEqual((res.body as Bundle).entry ?? [], []);
    });

    it('sees every write committed before the read, from any thread', async () => {
      for (let round = 0; round < 12; round++) {
        const created = await create(patient({ name: [{ family: `Round${round}` }] }));
        const found = await server.http.get(`/Patient?family=Round${round}`);
        assert.deepEqual((found.body as Bundle).entry?.map((e) => e.resource?.id), [created.id], `round ${round}`);
        await server.http.put(`/Patient/${created.id}`).set('Content-Type', fhirJson).send({ ...created, active: true }).expect(200);
        const history = await server.http.get(`/Patient/${created.id}/_history`);
        assert.deepEqual((history.body as Bundle).entry?.map((e) => e.resource?.meta?.versionId), ['2', '1'], `round ${round}`);
      }
      // Writes answered together, then one search on each thread.
      await Promise.all(Array.from({ length: 10 }, () => create(patient({ name: [{ family: 'Together' }] }))));
      const counts = await Promise.all([1, 2].map(() => server.http.get('/Patient?family=Together&_total=accurate')));
      assert.deepEqual(counts.map((c) => (c.body as Bundle).total), [10, 10]);
    });

    it('fails the reads of a thread that dies with a 503 OperationOutcome, and answers the next on a new thread', async () => {
      const wang = await create(patient({ name: [{ family: 'Wang' }] }));
      const held = server.http.get(`/Patient?name:contains=${holdMarker}`).then((res) => res);
      await searchHeld(state);
      letGo(state, crash);
      const failed = await held;
      assert.equal(failed.status, 503);
      assert.equal((failed.body as OperationOutcome).issue?.[0]?.code, 'transient');
      assert.ok(failed.headers['retry-after']);
      const next = await server.http.get('/Patient?name:contains=wan');
      assert.equal(next.status, 200);
      assert.deepEqual((next.body as Bundle).entry?.map((e) => e.resource?.id), [wang.id]);
    });
  });
});
