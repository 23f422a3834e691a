import { strict as assert } from 'node:assert';
import type { ResourceStore } from '../../server/store/port';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, memoryStore, type TestServer } from '../helpers/test-server';

describe('routing and errors', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  it('answers 404 naming an unknown resource type', async () => {
    const res = await server.http.get('/Pateint/1');
    assert.equal(res.status, 404);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.match(res.body.issue[0].details.text, /Unknown resource type 'Pateint'/);
  });

  it('answers 404 for a path that is no FHIR interaction', async () => {
    const res = await server.http.get('/Patient/1/_history/1/extra');
    assert.equal(res.status, 404);
    assert.equal(res.body.issue[0].code, 'not-found');
  });

  it('answers 405 with Allow for a method the path does not support', async () => {
    const res = await server.http.post('/Patient/123').set('Content-Type', fhirJson).send(patient());
    assert.equal(res.status, 405);
    assert.equal(res.body.issue[0].code, 'not-supported');
    assert.equal(res.headers.allow, 'GET, PUT, PATCH, DELETE');
    const metadata = await server.http.delete('/metadata');
    assert.equal(metadata.status, 405);
    assert.equal(metadata.headers.allow, 'GET');
  });

  it('answers HEAD like GET, without a body', async () => {
    const id = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body.id;
    const res = await server.http.head(`/Patient/${id}`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.etag, 'W/"1"');
  });

  it('serves /healthz', async () => {
    const res = await server.http.get('/healthz');
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'ok');
  });

  it('echoes a caller X-Request-Id and makes one otherwise', async () => {
    const given = await server.http.get('/metadata').set('X-Request-Id', 'his-vendor-42');
    assert.equal(given.headers['x-request-id'], 'his-vendor-42');
    const made = await server.http.get('/metadata');
    assert.match(made.headers['x-request-id'], /^[0-9a-f-]{36}$/);
  });
});

describe('server errors', () => {
  it('answers 500 with an OperationOutcome for a bug, and keeps serving', async () => {
    const real = memoryStore();
    let failNext = true;
    const flaky: ResourceStore = Object.create(real) as ResourceStore;
    flaky.readCurrent = async (type, id) => {
      if (failNext) {
        failNext = false;
        throw new TypeError('simulated bug');
      }
      return real.readCurrent(type, id);
    };
    const server = createTestServer({ store: flaky });
    try {
      const broken = await server.http.get('/Patient/x');
      assert.equal(broken.status, 500);
      assert.equal(broken.body.resourceType, 'OperationOutcome');
      assert.equal(broken.body.issue[0].code, 'exception');
      assert.doesNotMatch(JSON.stringify(broken.body), /simulated bug/, 'internals are logged, not sent');
      const after = await server.http.get('/Patient/x');
      assert.equal(after.status, 404);
    } finally {
      await server.close();
    }
  });
});
