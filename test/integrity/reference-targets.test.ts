// Rule 'reference-target-exists' (server/integrity/reference-targets.ts): single writes, transactions
// (whose own entries count, in any order) and batches (whose entries may not refer to each other).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { serverCaller } from '../../server/fhir/pipeline/caller';
import type { PendingWrite, WriteAction } from '../../server/fhir/pipeline/write-rules';
import { referenceTargetsExist } from '../../server/integrity/reference-targets';
import type { ResourceVersion, StoreOperations } from '../../server/store/port';
import { observation, patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('integrity: reference targets exist', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = createTestServer();
    await server.http.put('/Patient/p1').set('Content-Type', fhirJson).send(patient({ id: 'p1' })).expect(201);
  });
  afterEach(() => server.close());

  const post = (body: object) => server.http.post(`/${(body as { resourceType: string }).resourceType}`).set('Content-Type', fhirJson).send(body);
  const refused = (body: { issue: { code: string; diagnostics?: string; expression?: string[]; details?: { text?: string } }[] }, expression: string): void => {
    const issue = body.issue.find((i) => i.diagnostics === 'write rule: reference-target-exists');
    assert.ok(issue, JSON.stringify(body));
    assert.equal(issue.code, 'business-rule');
    assert.deepEqual(issue.expression, [expression]);
  };

  it('refuses a reference to a resource that does not exist, naming the element', async () => {
    const res = await post(observation('nobody'));
    assert.equal(res.status, 422);
    refused(res.body, 'Observation.subject.reference');
    assert.match(res.body.issue[0].details.text, /Patient\/nobody, which does not exist/);
    assert.equal((await post(observation('p1'))).status, 201);
  });

  it('checks references at any depth, absolute ones on this server, and versioned ones', async () => {
    const nested = observation('p1', { performer: [{ reference: 'Practitioner/dr-none' }] });
    refused((await post(nested)).body, 'Observation.performer[0].reference');
    const absolute = observation('p1', { subject: { reference: `${testBaseUrl}/Patient/ghost` } });
    refused((await post(absolute)).body, 'Observation.subject.reference');
    const versioned = observation('p1', { subject: { reference: 'Patient/p1/_history/9' } });
    refused((await post(versioned)).body, 'Observation.subject.reference');
    assert.equal((await post(observation('p1', { subject: { reference: 'Patient/p1/_history/1' } }))).status, 201);
    // Another server's resources, logical references and contained ones are not this server's to check.
    const elsewhere = observation('p1', {
      performer: [{ reference: 'https://other.example/fhir/Practitioner/1' }, { identifier: { system: 'urn:x', value: '1' } }],
    });
    assert.equal((await post(elsewhere)).status, 201);
  });

  it('refuses a reference to a deleted resource', async () => {
    await server.http.put('/Patient/gone').set('Content-Type', fhirJson).send(patient({ id: 'gone' })).expect(201);
    await server.http.delete('/Patient/gone').expect(204);
    const res = await post(observation('gone'));
    assert.equal(res.status, 422);
    assert.match(res.body.issue[0].details.text, /was deleted/);
  });

  it('refuses a placeholder reference outside a transaction', async () => {
    const res = await post(observation('p1', { subject: { reference: 'urn:uuid:0d3e6a0c-0000-4000-8000-000000000001' } }));
    assert.equal(res.status, 422);
    assert.match(res.body.issue[0].details.text, /placeholder/);
  });

  it('counts a transaction\'s own entries whatever their order, and refuses a dangling one', async () => {
    const forward: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        // The observation comes first and refers to a patient a later entry creates.
        { resource: { ...observation('p-new'), id: 'o-new' }, request: { method: 'PUT', url: 'Observation/o-new' } },
        { resource: patient({ id: 'p-new' }), request: { method: 'PUT', url: 'Patient/p-new' } },
      ],
    };
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(forward)).status, 200);
    const dangling: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient({ id: 'p-other' }), request: { method: 'PUT', url: 'Patient/p-other' } },
        { resource: { ...observation('nobody'), id: 'o-dangling' }, request: { method: 'PUT', url: 'Observation/o-dangling' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(dangling);
    assert.equal(res.status, 422);
    assert.match(res.body.issue[0].details.text, /^Bundle\.entry\[1\] .*rolled back/);
    assert.equal((await server.http.get('/Patient/p-other')).status, 404);
  });

  it('lets a batch entry fail alone on a missing target', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: observation('p1'), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('nobody'), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(batch).expect(200);
    assert.deepEqual(res.body.entry.map((e: { response: { status: string } }) => e.response.status), ['201 Created', '422 Unprocessable Entity']);
  });

  it('does not check what records history, nor references inside a stored Bundle', async () => {
    const provenance = {
      resourceType: 'Provenance',
      target: [{ reference: 'Patient/long-gone' }],
      recorded: '2026-01-01T00:00:00Z',
      agent: [{ who: { reference: 'Patient/p1' } }],
    };
    assert.equal((await post(provenance)).status, 201);
    const document = {
      resourceType: 'Bundle',
      type: 'collection',
      entry: [{ fullUrl: 'urn:uuid:5c3e0000-0000-4000-8000-000000000001', resource: observation('elsewhere') }],
    };
    assert.equal((await post(document)).status, 201);
  });

  it('is switched off by name', async () => {
    const off = createTestServer({ rulesOff: ['reference-target-exists'] });
    try {
      assert.equal((await off.http.post('/Observation').set('Content-Type', fhirJson).send(observation('nobody'))).status, 201);
    } finally {
      await off.close();
    }
  });
});

describe('integrity: reference targets are read once per transaction', () => {
  const rule = referenceTargetsExist(testBaseUrl);
  /** A store that holds Patient/p1 (deleted once `deleted` is set) and counts its reads. */
  const store = (): { tx: StoreOperations; reads: string[]; state: { deleted: boolean } } => {
    const reads: string[] = [];
    const state = { deleted: false };
    const version = (): ResourceVersion => ({ resourceType: 'Patient', id: 'p1', versionId: '1', lastUpdated: '2026-01-01T00:00:00Z', deleted: state.deleted });
    const tx = {
      readCurrent: async (type: string, id: string) => (reads.push(`${type}/${id}`), type === 'Patient' && id === 'p1' ? version() : undefined),
      readVersion: async (type: string, id: string, v: string) => (reads.push(`${type}/${id}/${v}`), type === 'Patient' && id === 'p1' && v === '1' ? version() : undefined),
    } as unknown as StoreOperations;
    return { tx, reads, state };
  };
  /** Runs the rule on a write of one transaction, collecting its end checks. */
  const write = async (transaction: object, checks: ((tx: StoreOperations) => Promise<void>)[], action: WriteAction, resource: Resource): Promise<void> => {
    const pending: PendingWrite = {
      action,
      resourceType: resource.resourceType,
      id: resource.id as string,
      resource: action === 'delete' ? undefined : resource,
      previous: async () => undefined,
      caller: serverCaller,
      interaction: { code: 'transaction' },
      transaction,
      atEnd: (check) => checks.push(check),
      afterwards: () => undefined,
    };
    await rule.check(pending, {} as StoreOperations);
  };

  it('reads a target that many entries share once, and a versioned reference once', async () => {
    const { tx, reads } = store();
    const transaction = {};
    const checks: ((tx: StoreOperations) => Promise<void>)[] = [];
    for (let i = 0; i < 50; i++) {
      await write(transaction, checks, 'create', { ...observation('p1'), id: `o${i}`, performer: [{ reference: 'Patient/p1/_history/1' }] });
    }
    for (const check of checks) {
      await check(tx);
    }
    assert.deepEqual(reads.sort(), ['Patient/p1', 'Patient/p1/1']);
    // Another transaction reads for itself.
    const other: ((tx: StoreOperations) => Promise<void>)[] = [];
    await write({}, other, 'create', { ...observation('p1'), id: 'o-other' });
    await other[0](tx);
    assert.equal(reads.length, 3);
  });

  it('reads a target again once the transaction writes it, and so sees it deleted', async () => {
    const { tx, reads, state } = store();
    const transaction = {};
    const checks: ((tx: StoreOperations) => Promise<void>)[] = [];
    await write(transaction, checks, 'create', { ...observation('p1'), id: 'o1' });
    await checks[0](tx);
    // A rule's effect deletes the patient after the first check ran; a later write's check must see it.
    await write(transaction, checks, 'delete', { resourceType: 'Patient', id: 'p1' });
    state.deleted = true;
    await write(transaction, checks, 'create', { ...observation('p1'), id: 'o2' });
    await assert.rejects(checks[1](tx), /Patient\/p1, which was deleted/);
    assert.deepEqual(reads, ['Patient/p1', 'Patient/p1']);
  });
});
