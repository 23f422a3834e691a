import type { Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

describe('read and vread', () => {
  let server: TestServer;
  let created: Patient;
  beforeEach(async () => {
    server = createTestServer();
    created = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body as Patient;
  });
  afterEach(() => server.close());

  it('reads the current version with ETag and Last-Modified', async () => {
    const res = await server.http.get(`/Patient/${created.id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, created);
    assert.equal(res.headers.etag, 'W/"1"');
    assert.ok(res.headers['last-modified']);
  });

  it('answers 404 with an OperationOutcome for an unknown id', async () => {
    const res = await server.http.get('/Patient/does-not-exist');
    assert.equal(res.status, 404);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].code, 'not-found');
  });

  it('reads each version by vread, and 404 for a version that does not exist', async () => {
    const v2 = { ...created, active: true };
    await server.http.put(`/Patient/${created.id}`).set('Content-Type', fhirJson).send(v2);
    const first = await server.http.get(`/Patient/${created.id}/_history/1`);
    assert.equal(first.status, 200);
    assert.equal(first.body.active, undefined);
    assert.equal(first.headers.etag, 'W/"1"');
    const second = await server.http.get(`/Patient/${created.id}/_history/2`);
    assert.equal(second.body.active, true);
    assert.equal(second.body.meta.versionId, '2');
    const missing = await server.http.get(`/Patient/${created.id}/_history/3`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.issue[0].code, 'not-found');
    const notANumber = await server.http.get(`/Patient/${created.id}/_history/abc`);
    assert.equal(notANumber.status, 404);
  });

  it('answers 410 Gone after a delete, for read and for the deletion version', async () => {
    await server.http.delete(`/Patient/${created.id}`);
    const res = await server.http.get(`/Patient/${created.id}`);
    assert.equal(res.status, 410);
    assert.equal(res.body.issue[0].code, 'deleted');
    const tombstone = await server.http.get(`/Patient/${created.id}/_history/2`);
    assert.equal(tombstone.status, 410);
    const before = await server.http.get(`/Patient/${created.id}/_history/1`);
    assert.equal(before.status, 200);
  });

  it('applies _summary=true: summary elements only, tagged SUBSETTED', async () => {
    await server.http
      .put(`/Patient/${created.id}`)
      .set('Content-Type', fhirJson)
      .send({ ...created, maritalStatus: { text: '已婚' }, text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">王小明</div>' } });
    const res = await server.http.get(`/Patient/${created.id}?_summary=true`);
    assert.equal(res.status, 200);
    assert.equal(res.body.maritalStatus, undefined, 'maritalStatus is not a summary element');
    assert.equal(res.body.text, undefined);
    assert.deepEqual(res.body.name, created.name);
    assert.equal(res.body.birthDate, '1980-01-01');
    assert.ok(res.body.meta.tag.some((t: { code: string }) => t.code === 'SUBSETTED'));
  });

  it('applies _summary=text and _summary=data', async () => {
    const div = '<div xmlns="http://www.w3.org/1999/xhtml">王小明</div>';
    await server.http.put(`/Patient/${created.id}`).set('Content-Type', fhirJson).send({ ...created, text: { status: 'generated', div } });
    const text = await server.http.get(`/Patient/${created.id}?_summary=text`);
    assert.equal(text.body.text.div, div);
    assert.equal(text.body.name, undefined);
    const data = await server.http.get(`/Patient/${created.id}?_summary=data`);
    assert.equal(data.body.text, undefined);
    assert.deepEqual(data.body.name, created.name);
  });

  it('applies _elements, keeping id and meta, choice elements by their stem', async () => {
    await server.http
      .put(`/Patient/${created.id}`)
      .set('Content-Type', fhirJson)
      .send({ ...created, deceasedBoolean: false });
    const res = await server.http.get(`/Patient/${created.id}?_elements=birthDate,deceased`);
    assert.deepEqual(Object.keys(res.body).sort(), ['birthDate', 'deceasedBoolean', 'id', 'meta', 'resourceType']);
    assert.ok(res.body.meta.tag.some((t: { code: string }) => t.code === 'SUBSETTED'));
  });

  it('refuses an invalid _summary with 400 naming it', async () => {
    const res = await server.http.get(`/Patient/${created.id}?_summary=count`);
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['_summary']);
  });
});
