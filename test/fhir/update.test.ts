import type { Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('update (PUT [type]/[id])', () => {
  let server: TestServer;
  let created: Patient;
  beforeEach(async () => {
    server = createTestServer();
    created = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body as Patient;
  });
  afterEach(() => server.close());

  const put = (id: string, body: object) => server.http.put(`/Patient/${id}`).set('Content-Type', fhirJson).send(body);

  it('writes a new version and answers 200 with the new ETag', async () => {
    const res = await put(created.id!, { ...created, active: true });
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.versionId, '2');
    assert.equal(res.headers.etag, 'W/"2"');
    assert.equal(res.body.active, true);
    assert.ok(res.body.meta.lastUpdated > created.meta!.lastUpdated!);
  });

  it('creates a resource with a client-chosen id (update as create) with 201 and Location', async () => {
    const res = await put('clinic-patient-001', { ...patient(), id: 'clinic-patient-001' });
    assert.equal(res.status, 201);
    assert.equal(res.body.id, 'clinic-patient-001');
    assert.equal(res.body.meta.versionId, '1');
    assert.equal(res.headers.location, `${testBaseUrl}/Patient/clinic-patient-001/_history/1`);
  });

  it('writes no new version when the content is unchanged', async () => {
    const res = await put(created.id!, created);
    assert.equal(res.status, 200);
    assert.equal(res.body.meta.versionId, '1');
    const history = await server.http.get(`/Patient/${created.id}/_history`);
    assert.equal(history.body.entry.length, 1);
  });

  it('checks If-Match: the current version succeeds, a stale one gets 412 and writes nothing', async () => {
    const ok = await put(created.id!, { ...created, active: true }).set('If-Match', 'W/"1"');
    assert.equal(ok.status, 200);
    const stale = await put(created.id!, { ...created, active: false }).set('If-Match', 'W/"1"');
    assert.equal(stale.status, 412);
    assert.equal(stale.body.resourceType, 'OperationOutcome');
    assert.equal(stale.body.issue[0].code, 'conflict');
    const current = await server.http.get(`/Patient/${created.id}`);
    assert.equal(current.body.active, true);
    assert.equal(current.body.meta.versionId, '2');
  });

  it('gives 412 for If-Match on a resource that does not exist, and 400 for a malformed If-Match', async () => {
    const missing = await put('nobody', { ...patient(), id: 'nobody' }).set('If-Match', 'W/"1"');
    assert.equal(missing.status, 412);
    const malformed = await put(created.id!, created).set('If-Match', 'W/"1 2"');
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.body.issue[0].expression, ['If-Match']);
  });

  it('refuses a body without an id, or with an id other than the URL, with 400 naming Patient.id', async () => {
    const { id: _id, ...withoutId } = created;
    const noId = await put(created.id!, withoutId);
    assert.equal(noId.status, 400);
    assert.deepEqual(noId.body.issue[0].expression, ['Patient.id']);
    const other = await put(created.id!, { ...created, id: 'someone-else' });
    assert.equal(other.status, 400);
    assert.deepEqual(other.body.issue[0].expression, ['Patient.id']);
  });

  it('refuses an id that breaks the FHIR id rule with 400', async () => {
    const longId = 'x'.repeat(65);
    const res = await put(longId, { ...patient(), id: longId });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['Patient.id']);
    const underscore = await put('a_b', { ...patient(), id: 'a_b' });
    assert.equal(underscore.status, 400);
  });

  it('recreates a deleted resource as the next version with 201', async () => {
    await server.http.delete(`/Patient/${created.id}`);
    const res = await put(created.id!, created);
    assert.equal(res.status, 201);
    assert.equal(res.body.meta.versionId, '3');
    const read = await server.http.get(`/Patient/${created.id}`);
    assert.equal(read.status, 200);
  });
});
