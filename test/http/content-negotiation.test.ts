import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

describe('content negotiation', () => {
  let server: TestServer;
  let id: string;
  beforeEach(async () => {
    server = createTestServer();
    id = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body.id;
  });
  afterEach(() => server.close());

  for (const accept of [undefined, '*/*', 'application/json', 'application/fhir+json', 'text/html, application/json;q=0.5', 'application/*']) {
    it(`serves application/fhir+json for Accept: ${accept ?? '(none)'}`, async () => {
      const req = server.http.get(`/Patient/${id}`);
      if (accept) {
        req.set('Accept', accept);
      }
      const res = await req;
      assert.equal(res.status, 200);
      assert.match(res.headers['content-type'], /^application\/fhir\+json; charset=utf-8$/);
    });
  }

  it('answers 406 with an OperationOutcome when Accept excludes JSON', async () => {
    const res = await server.http.get(`/Patient/${id}`).set('Accept', 'application/fhir+xml');
    assert.equal(res.status, 406);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].code, 'not-supported');
  });

  it('answers 406 when JSON is explicitly given q=0', async () => {
    const res = await server.http.get(`/Patient/${id}`).set('Accept', 'application/json;q=0, text/html');
    assert.equal(res.status, 406);
  });

  it('lets _format=json override an Accept header, and refuses _format=xml with 406', async () => {
    const json = await server.http.get(`/Patient/${id}?_format=json`).set('Accept', 'application/fhir+xml');
    assert.equal(json.status, 200);
    const xml = await server.http.get(`/Patient/${id}?_format=xml`);
    assert.equal(xml.status, 406);
  });

  it('answers 415 for a body that is not JSON', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', 'application/fhir+xml').send('<Patient/>');
    assert.equal(res.status, 415);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    const text = await server.http.post('/Patient').set('Content-Type', 'text/plain').send('hello');
    assert.equal(text.status, 415);
  });

  it('accepts application/json as a request body type', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', 'application/json; charset=utf-8').send(JSON.stringify(patient()));
    assert.equal(res.status, 201);
  });

  it('answers 400 naming the problem for malformed JSON', async () => {
    const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send('{"resourceType": "Patient",');
    assert.equal(res.status, 400);
    assert.match(res.body.issue[0].details.text, /not valid JSON/);
  });

  it('pretty-prints with _pretty=true', async () => {
    const res = await server.http.get(`/Patient/${id}?_pretty=true`);
    assert.match(res.text, /\n {2}"resourceType"/);
  });
});

describe('request limits', () => {
  it('answers 413 with an OperationOutcome for a body over the limit, and stores nothing', async () => {
    const server = createTestServer({ maxBodyBytes: 1024 });
    try {
      const big = patient({ name: [{ text: 'x'.repeat(4096) }] });
      const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(big);
      assert.equal(res.status, 413);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.equal(res.body.issue[0].code, 'too-costly');
      assert.equal((await server.http.get('/Patient')).body.total, 0);
    } finally {
      await server.close();
    }
  });
});
