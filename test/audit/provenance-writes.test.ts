// Authors and Provenance: every client write records its author beside the version and a Provenance
// in the same transaction (or the client's own X-Provenance, checked against the caller); meta.source and
// Provenance agents cannot claim another organization or user; the bulk load path records its author.
import type { Bundle, Provenance, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { Request } from 'express';
import { parseAuthor } from '../../server/audit/version-author';
import { serverCaller, type Caller } from '../../server/fhir/pipeline/caller';
import { withWriteRules } from '../../server/fhir/pipeline/write-step';
import type { ResourceStore, VersionAuthor } from '../../server/store/port';
import { storeSink } from '../../seed/load';
import { patient } from '../helpers/fixtures';
import { createTestServer, memoryStore, type TestServer } from '../helpers/test-server';

const doctor: Caller = {
  kind: 'user',
  user: 'Practitioner/doc1',
  account: 'doc1',
  clientId: 'his-app',
  organizations: ['Organization/c1'],
  roles: ['clinician'],
  scopes: ['user/*.cruds'],
};
const backend: Caller = { kind: 'client', clientId: 'lab-system', organizations: ['Organization/lab1', 'Organization/c1'], roles: [], scopes: ['system/*.cruds'] };

const callers: Record<string, Caller> = { doctor, backend };
/** Each request names its caller in a test header; a fresh object per request, as the HTTP edge makes. */
const identify = (req: Request): Caller => ({ ...callers[req.header('x-test-caller') ?? 'doctor'] });

async function authorsOf(store: ResourceStore, resourceType: string, id: string): Promise<(VersionAuthor | undefined)[]> {
  const records = await store.chainRecords({ resourceType, id, limit: 100 });
  return records.map((r) => parseAuthor(r.author));
}

async function provenancesOf(server: TestServer, target: string): Promise<Provenance[]> {
  const res = await server.http.get(`/Provenance?target=${target}&_count=100`).expect(200);
  return ((res.body as Bundle).entry ?? []).map((e) => e.resource as Provenance);
}

const orgs = (provenance: Provenance): string[] => (provenance.agent ?? []).map((a) => a.who?.reference ?? '').filter((r) => r.startsWith('Organization/'));

describe('Authors and Provenance', () => {
  let server: TestServer;

  beforeEach(async () => {
    server = createTestServer({ identify });
    // The organizations the callers act for exist (references are checked).
    for (const id of ['c1', 'c2', 'lab1']) {
      await server.store.create({ resourceType: 'Organization', id, name: id } as Resource);
    }
    await server.store.create({ resourceType: 'Practitioner', id: 'doc1' } as Resource);
  });

  afterEach(() => server.close());

  it('records the author of each create, update and delete beside the version, not in the resource', async () => {
    await server.http.post('/Patient').send(patient()).expect(201);
    await server.http.put('/Patient/p1').send(patient({ id: 'p1' })).expect(201);
    const updated = await server.http.put('/Patient/p1').set('x-test-caller', 'backend').send(patient({ id: 'p1', gender: 'female' })).expect(200);
    assert.deepEqual(Object.keys(updated.body.meta).sort(), ['lastUpdated', 'versionId'], 'a read returns what was written: no author in meta');
    await server.http.delete('/Patient/p1').expect(204);
    assert.deepEqual(await authorsOf(server.store, 'Patient', 'p1'), [
      { kind: 'user', user: 'Practitioner/doc1', clientId: 'his-app', organizations: ['Organization/c1'] },
      { kind: 'client', clientId: 'lab-system', organizations: ['Organization/lab1', 'Organization/c1'] },
      { kind: 'user', user: 'Practitioner/doc1', clientId: 'his-app', organizations: ['Organization/c1'] },
    ]);
  });

  it('writes a Provenance for every write, in its transaction, with the versioned target, the activity and the caller as agents', async () => {
    await server.http.put('/Patient/p1').send(patient({ id: 'p1' })).expect(201);
    const changed = patient({ id: 'p1', gender: 'female' });
    await server.http.put('/Patient/p1').set('x-test-caller', 'backend').send(changed).expect(200);
    // An update equal to the current version writes no version, and so no Provenance.
    await server.http.put('/Patient/p1').set('x-test-caller', 'backend').send(changed).expect(200);
    await server.http.delete('/Patient/p1').expect(204);
    const provenances = (await provenancesOf(server, 'Patient/p1')).sort((a, b) => (a.target[0].reference ?? '').localeCompare(b.target[0].reference ?? ''));
    assert.deepEqual(
      provenances.map((p) => [p.target[0].reference, p.activity?.coding?.[0].code]),
      [
        ['Patient/p1/_history/1', 'CREATE'],
        ['Patient/p1/_history/2', 'UPDATE'],
        ['Patient/p1/_history/3', 'DELETE'],
      ]
    );
    const [created, updated] = provenances;
    assert.equal(created.activity?.coding?.[0].system, 'http://terminology.hl7.org/CodeSystem/v3-DataOperation');
    assert.deepEqual(created.agent[0], {
      type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type', code: 'author', display: 'Author' }] },
      who: { reference: 'Practitioner/doc1' },
      onBehalfOf: { reference: 'Organization/c1' },
    });
    assert.equal(created.agent[1].who?.identifier?.value, 'his-app');
    assert.deepEqual(orgs(created), ['Organization/c1']);
    assert.deepEqual(orgs(updated), ['Organization/lab1', 'Organization/c1']);
    const read = await server.http.get('/Patient/p1/_history/1').expect(200);
    assert.equal(created.recorded, read.body.meta.lastUpdated);
    // _revinclude answers who.
    await server.http.put('/Patient/p2').send(patient({ id: 'p2' })).expect(201);
    const revincluded = await server.http.get('/Patient?_id=p2&_revinclude=Provenance:target').expect(200);
    assert.deepEqual(
      (revincluded.body as Bundle).entry?.map((e) => e.resource?.resourceType),
      ['Patient', 'Provenance']
    );
  });

  it('records the author of each entry of a transaction Bundle, and one Provenance per activity naming every version written', async () => {
    await server.http.put('/Patient/t3').send(patient({ id: 't3' })).expect(201);
    await server.http.put('/Patient/t4').send(patient({ id: 't4' })).expect(201);
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0f6c1b7e-1111-4e3a-9a4e-000000000001', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { resource: patient({ id: 't2' }), request: { method: 'PUT', url: 'Patient/t2' } },
        { resource: patient({ id: 't3', gender: 'female' }), request: { method: 'PUT', url: 'Patient/t3' } },
        { request: { method: 'DELETE', url: 'Patient/t4' } },
      ],
    };
    const res = await server.http.post('/').set('x-test-caller', 'backend').send(bundle).expect(200);
    const locations = (res.body as Bundle).entry?.map((e) => /Patient\/[^/]+\/_history\/\d+/.exec(e.response?.location ?? '')?.[0]) ?? [];
    const [created, put] = locations.map((location) => location?.split('/')[1] ?? '');
    for (const id of [created, put]) {
      assert.deepEqual(await authorsOf(server.store, 'Patient', id), [{ kind: 'client', clientId: 'lab-system', organizations: ['Organization/lab1', 'Organization/c1'] }]);
    }
    // Each version written is the target of exactly one Provenance: the transaction's, for its activity.
    const byActivity = new Map<string, string[]>();
    for (const id of [created, put, 't3', 't4']) {
      const provenances = (await provenancesOf(server, `Patient/${id}`)).filter((p) => orgs(p).includes('Organization/lab1'));
      assert.equal(provenances.length, 1, `one Provenance of the transaction names Patient/${id}`);
      const [provenance] = provenances;
      byActivity.set(provenance.activity?.coding?.[0].code ?? '', provenance.target.map((t) => t.reference ?? '').sort());
    }
    assert.deepEqual(Object.fromEntries(byActivity), {
      CREATE: [`Patient/${created}/_history/1`, `Patient/${put}/_history/1`].sort(),
      UPDATE: ['Patient/t3/_history/2'],
      DELETE: ['Patient/t4/_history/2'],
    });
    const revincluded = await server.http.get(`/Patient?_id=${created},t3&_revinclude=Provenance:target`).expect(200);
    const included = (revincluded.body as Bundle).entry?.filter((e) => e.search?.mode === 'include').map((e) => (e.resource as Provenance).activity?.coding?.[0].code);
    assert.deepEqual(included?.sort(), ['CREATE', 'CREATE', 'UPDATE'], "each patient's own creator and the transaction's CREATE and UPDATE");
  });

  it('writes no Provenance for a transaction Bundle that rolls back', async () => {
    const before = (await server.http.get('/Provenance?_summary=count').expect(200)).body.total;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient({ id: 'r1' }), request: { method: 'PUT', url: 'Patient/r1' } },
        { resource: { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/missing' } } as Resource, request: { method: 'POST', url: 'Observation' } },
      ],
    };
    await server.http.post('/').send(bundle).expect((res) => assert.ok(res.status >= 400, `refused: ${res.status}`));
    assert.equal((await server.http.get('/Provenance?_summary=count').expect(200)).body.total, before);
    await server.http.get('/Patient/r1').expect(404);
  });

  it("stores the client's own Provenance from X-Provenance, with the target and time filled in, instead of the server's", async () => {
    const own: Provenance = {
      resourceType: 'Provenance',
      target: [{ reference: 'Patient/anything' }],
      recorded: '2001-01-01T00:00:00Z',
      reason: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'TREAT' }] }],
      agent: [{ who: { reference: 'Practitioner/doc1' }, onBehalfOf: { reference: 'Organization/c1' } }],
    };
    await server.http.put('/Patient/p1').set('X-Provenance', JSON.stringify(own)).send(patient({ id: 'p1' })).expect(201);
    const [stored, ...others] = await provenancesOf(server, 'Patient/p1');
    assert.equal(others.length, 0, 'one Provenance: the client one');
    assert.deepEqual(stored.target, [{ reference: 'Patient/p1/_history/1' }]);
    assert.equal(stored.reason?.[0].coding?.[0].code, 'TREAT');
    assert.notEqual(stored.recorded, '2001-01-01T00:00:00Z');
    assert.deepEqual(stored.agent, own.agent);
  });

  it('refuses an X-Provenance that claims another organization or user, or is not a Provenance, storing nothing', async () => {
    const claiming = (agent: Provenance['agent'][number]): string => JSON.stringify({ resourceType: 'Provenance', agent: [agent] });
    const otherOrganization = await server.http
      .put('/Patient/p1')
      .set('X-Provenance', claiming({ who: { reference: 'Practitioner/doc1' }, onBehalfOf: { reference: 'Organization/c2' } }))
      .send(patient({ id: 'p1' }))
      .expect(422);
    assert.equal(otherOrganization.body.issue[0].code, 'business-rule');
    assert.equal(otherOrganization.body.issue[0].diagnostics, 'write rule: source-claims');
    assert.deepEqual(otherOrganization.body.issue[0].expression, ['Provenance.agent[0].onBehalfOf']);
    await server.http.put('/Patient/p1').set('X-Provenance', claiming({ who: { reference: 'http://fhir.test/Practitioner/doc9' } })).send(patient({ id: 'p1' })).expect(422);
    const notJson = await server.http.put('/Patient/p1').set('X-Provenance', '{not json').send(patient({ id: 'p1' })).expect(400);
    assert.deepEqual(notJson.body.issue[0].expression, ['X-Provenance']);
    await server.http.put('/Patient/p1').set('X-Provenance', JSON.stringify({ resourceType: 'Patient' })).send(patient({ id: 'p1' })).expect(400);
    await server.http.get('/Patient/p1').expect(404);
    assert.equal((await provenancesOf(server, 'Patient/p1')).length, 0);
  });

  it('refuses meta.source naming another organization (422, rule named), and accepts the caller\'s own', async () => {
    const refused = await server.http
      .post('/Patient')
      .send(patient({ meta: { source: 'Organization/c2' } }))
      .expect(422);
    assert.equal(refused.body.issue[0].diagnostics, 'write rule: source-claims');
    assert.deepEqual(refused.body.issue[0].expression, ['Patient.meta.source']);
    await server.http.post('/Patient').send(patient({ meta: { source: 'http://his.elsewhere.example/' } })).expect(422);
    await server.http.post('/Patient').send(patient({ meta: { source: 'Organization/c1#request-7' } })).expect(201);
    await server.http.post('/Patient').send(patient({ meta: { source: 'http://fhir.test/Organization/c1' } })).expect(201);
  });

  it('refuses a Provenance created directly whose agents claim another organization or user', async () => {
    await server.http.put('/Patient/p1').send(patient({ id: 'p1' })).expect(201);
    const provenance = (who: string): Provenance => ({
      resourceType: 'Provenance',
      target: [{ reference: 'Patient/p1' }],
      recorded: '2026-12-06T08:00:00Z',
      agent: [{ who: { reference: who } }],
    });
    const refused = await server.http.post('/Provenance').send(provenance('Organization/c2')).expect(422);
    assert.equal(refused.body.issue[0].diagnostics, 'write rule: source-claims');
    await server.http.post('/Provenance').send(provenance('Practitioner/someone-else')).expect(422);
    await server.http.post('/Provenance').send(provenance('Organization/c1')).expect(201);
  });

  it('with FHIR_PROVENANCE=off writes no Provenance, and still records the author', async () => {
    const off = createTestServer({ identify, provenance: false });
    try {
      await off.http.put('/Patient/p1').send(patient({ id: 'p1' })).expect(201);
      assert.equal((await provenancesOf(off, 'Patient/p1')).length, 0);
      assert.equal((await authorsOf(off.store, 'Patient', 'p1'))[0]?.user, 'Practitioner/doc1');
    } finally {
      await off.close();
    }
  });

  it('records the server as the author of a bulk load, and chains what it writes', async () => {
    const store = memoryStore();
    try {
      const sink = storeSink(withWriteRules(store, { rules: [], caller: serverCaller, interaction: { code: 'transaction' } }));
      await sink({ resourceType: 'Bundle', type: 'transaction', entry: [{ resource: patient({ id: 'b1' }), request: { method: 'PUT', url: 'Patient/b1' } }] });
      const [record] = await store.chainRecords({ resourceType: 'Patient', id: 'b1', limit: 10 });
      assert.deepEqual(parseAuthor(record.author), { kind: 'server' });
      assert.match(record.hash ?? '', /^[0-9a-f]{64}$/);
    } finally {
      await store.close();
    }
  });
});
