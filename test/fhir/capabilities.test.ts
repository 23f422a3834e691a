import type { CapabilityStatement } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('capabilities (GET /metadata)', () => {
  let server: TestServer;
  let statement: CapabilityStatement;
  before(async () => {
    server = createTestServer();
    statement = (await server.http.get('/metadata')).body;
  });
  after(() => server.close());

  it('is an R4 CapabilityStatement for JSON at this base URL', () => {
    assert.equal(statement.resourceType, 'CapabilityStatement');
    assert.equal(statement.fhirVersion, '4.0.1');
    assert.deepEqual(statement.format, ['json']);
    assert.equal(statement.kind, 'instance');
    assert.equal(statement.implementation?.url, testBaseUrl);
  });

  it('lists every R4 resource type once, and no Medplum-only or R4B type', () => {
    const types = statement.rest![0].resource!.map((r) => r.type);
    assert.equal(new Set(types).size, types.length);
    for (const t of ['Patient', 'Observation', 'MedicationRequest', 'AuditEvent', 'Bundle', 'Binary', 'Parameters']) {
      assert.ok(types.includes(t as never), t);
    }
    for (const t of ['Project', 'ClientApplication', 'SubscriptionStatus']) {
      assert.ok(!types.includes(t as never), t);
    }
    assert.equal(types.length, 146);
  });

  it('claims only interactions that answer: each is exercised here', async () => {
    const claimed = statement.rest![0].resource!.find((r) => r.type === 'Patient')!.interaction!.map((i) => i.code).sort();
    assert.deepEqual(claimed, ['create', 'delete', 'history-instance', 'history-type', 'patch', 'read', 'search-type', 'update', 'vread']);
    const created = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
    const id = created.body.id;
    const calls: Record<string, () => Promise<{ status: number }>> = {
      create: async () => created,
      read: () => server.http.get(`/Patient/${id}`),
      vread: () => server.http.get(`/Patient/${id}/_history/1`),
      update: () => server.http.put(`/Patient/${id}`).set('Content-Type', fhirJson).send({ ...created.body, active: true }),
      'history-instance': () => server.http.get(`/Patient/${id}/_history`),
      'history-type': () => server.http.get('/Patient/_history'),
      'search-type': () => server.http.get('/Patient'),
      patch: () =>
        server.http
          .patch(`/Patient/${id}`)
          .set('Content-Type', 'application/json-patch+json')
          .send(JSON.stringify([{ op: 'add', path: '/active', value: false }])),
      delete: () => server.http.delete(`/Patient/${id}`),
    };
    // delete last, so that the others find the resource
    for (const code of [...claimed.filter((c) => c !== 'delete'), 'delete']) {
      const res = await calls[code]();
      assert.ok(res.status >= 200 && res.status < 300, `${code} answered ${res.status}`);
    }
    const system = statement.rest![0].interaction!.map((i) => i.code);
    assert.deepEqual(system, ['transaction', 'batch', 'history-system']);
    assert.equal((await server.http.get('/_history')).status, 200);
    for (const type of ['transaction', 'batch']) {
      const res = await server.http
        .post('/')
        .set('Content-Type', fhirJson)
        .send({ resourceType: 'Bundle', type, entry: [{ request: { method: 'POST', url: 'Patient' }, resource: patient() }] });
      assert.equal(res.status, 200, type);
      assert.equal(res.body.entry[0].response.status, '201 Created', type);
    }
  });

  // The refusal itself is tested in test/audit (the audit-records rule).
  it('claims no update, patch or delete of AuditEvents, which the server refuses for everyone', () => {
    const claimed = statement.rest![0].resource!.find((r) => r.type === 'AuditEvent')!.interaction!.map((i) => i.code).sort();
    assert.deepEqual(claimed, ['create', 'history-instance', 'history-type', 'read', 'search-type', 'vread']);
  });

  it('states its conditional interactions as the server configures them', async () => {
    const patientCaps = statement.rest![0].resource!.find((r) => r.type === 'Patient')!;
    assert.equal(patientCaps.conditionalCreate, true);
    assert.equal(patientCaps.conditionalUpdate, true);
    assert.equal(patientCaps.conditionalRead, 'full-support');
    assert.equal(patientCaps.conditionalDelete, 'single');
    const multiple = createTestServer({ conditionalDeleteMultiple: true });
    try {
      const res = await multiple.http.get('/metadata');
      assert.equal(res.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient').conditionalDelete, 'multiple');
    } finally {
      await multiple.close();
    }
  });

  it('lists the search parameters search supports, with their types', () => {
    const params = statement.rest![0].resource!.find((r) => r.type === 'Observation')!.searchParam!;
    const types = new Map(params.map((p) => [p.name, p.type]));
    assert.equal(types.get('_id'), 'token');
    assert.equal(types.get('_lastUpdated'), 'date');
    assert.equal(types.get('code'), 'token');
    assert.equal(types.get('date'), 'date');
    assert.equal(types.get('subject'), 'reference');
    assert.equal(types.get('value-quantity'), 'quantity');
    assert.equal(types.get('component-code-value-quantity'), 'composite');
    assert.equal(types.get('_tag'), 'token');
  });

  it('claims only search parameters that a strict search accepts', async () => {
    for (const type of ['Patient', 'Observation', 'MedicationRequest']) {
      const params = statement.rest![0].resource!.find((r) => r.type === type)!.searchParam!;
      for (const p of params) {
        const res = await server.http.get(`/${type}?${p.name}:missing=true`).set('Prefer', 'handling=strict');
        assert.equal(res.status, 200, `${type}?${p.name}: ${JSON.stringify(res.body.issue ?? '')}`);
      }
    }
  });
});
