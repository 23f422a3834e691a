import type { OperationOutcome, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('create (POST [type])', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  it('assigns an id and version 1, and answers 201 with Location, ETag and Last-Modified', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
    assert.equal(res.status, 201);
    const body = res.body as Patient;
    assert.match(body.id!, /^[A-Za-z0-9\-.]{1,64}$/);
    assert.equal(body.meta?.versionId, '1');
    assert.ok(body.meta?.lastUpdated && !Number.isNaN(Date.parse(body.meta.lastUpdated)));
    assert.equal(res.headers.location, `${testBaseUrl}/Patient/${body.id}/_history/1`);
    assert.equal(res.headers.etag, 'W/"1"');
    assert.equal(res.headers['last-modified'], new Date(body.meta!.lastUpdated!).toUTCString());
    assert.match(res.headers['content-type'], /^application\/fhir\+json/);
    assert.deepEqual(body.name, patient().name);
  });

  it('ignores an id in the body and overwrites client-sent versionId and lastUpdated', async () => {
    const res = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .send(patient({ id: 'chosen-by-client', meta: { versionId: '99', lastUpdated: '2000-01-01T00:00:00Z' } }));
    assert.equal(res.status, 201);
    assert.notEqual(res.body.id, 'chosen-by-client');
    assert.equal(res.body.meta.versionId, '1');
    assert.notEqual(res.body.meta.lastUpdated, '2000-01-01T00:00:00Z');
  });

  it('honours Prefer: return=minimal and return=OperationOutcome', async () => {
    const minimal = await server.http.post('/Patient').set('Content-Type', fhirJson).set('Prefer', 'return=minimal').send(patient());
    assert.equal(minimal.status, 201);
    assert.equal(minimal.text, '');
    assert.ok(minimal.headers.location);
    const oo = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .set('Prefer', 'return=OperationOutcome')
      .send(patient());
    assert.equal(oo.status, 201);
    assert.equal(oo.body.resourceType, 'OperationOutcome');
    assert.equal(oo.body.issue[0].severity, 'information');
  });

  it('refuses a resourceType that does not match the URL with 400 naming resourceType', async () => {
    const res = await server.http.post('/Observation').set('Content-Type', fhirJson).send(patient());
    assert.equal(res.status, 400);
    const outcome = res.body as OperationOutcome;
    assert.equal(outcome.issue[0].code, 'invalid');
    assert.deepEqual(outcome.issue[0].expression, ['resourceType']);
  });

  it('refuses a resource that breaks the base schema with 400 naming the element', async () => {
    const res = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .send({ ...patient(), gender: 'bogus' });
    assert.equal(res.status, 400);
    const outcome = res.body as OperationOutcome;
    assert.equal(outcome.resourceType, 'OperationOutcome');
    assert.ok(outcome.issue.some((i) => i.expression?.includes('Patient.gender')), JSON.stringify(outcome));
  });

  it('refuses an unknown element with 400 naming it, and stores nothing', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send({ ...patient(), favouriteColour: 'red' });
    assert.equal(res.status, 400);
    assert.ok((res.body as OperationOutcome).issue.some((i) => i.expression?.includes('Patient.favouriteColour')));
    const all = await server.http.get('/Patient');
    assert.equal(all.body.total, 0);
  });

  it('refuses a body that is not a JSON object', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send('[1,2]');
    assert.equal(res.status, 400);
    assert.equal(res.body.issue[0].code, 'invalid');
  });

  it('refuses an empty body with 400', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', fhirJson);
    assert.equal(res.status, 400);
    assert.match(res.body.issue[0].details.text, /Patient resource/);
  });
});
