// PATCH over HTTP and in transactions (https://hl7.org/fhir/R4/http.html#patch).
import type { Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

const jsonPatch = 'application/json-patch+json';
// A clinic's medical record numbers: free text, unlike resident ID numbers, which carry a check character.
const system = 'https://fhir.test/sid/clinic-mrn';

describe('PATCH', () => {
  let server: TestServer;
  let id: string;
  beforeEach(async () => {
    server = createTestServer();
    id = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'P-1' }] }))).body.id;
  });
  afterEach(() => server.close());

  const versionOf = async (): Promise<string> => (await server.http.get(`/Patient/${id}`)).body.meta.versionId;

  it('applies a JSON Patch and writes a new version', async () => {
    const res = await server.http
      .patch(`/Patient/${id}`)
      .set('Content-Type', jsonPatch)
      .send(JSON.stringify([{ op: 'replace', path: '/gender', value: 'female' }, { op: 'add', path: '/active', value: true }]));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.gender, 'female');
    assert.equal(res.body.active, true);
    assert.equal(res.body.meta.versionId, '2');
    assert.equal(res.headers.etag, 'W/"2"');
    assert.equal((await server.http.get(`/Patient/${id}`)).body.gender, 'female');
  });

  it('applies a FHIRPath Patch', async () => {
    const parameters = {
      resourceType: 'Parameters',
      parameter: [
        {
          name: 'operation',
          part: [
            { name: 'type', valueCode: 'replace' },
            { name: 'path', valueString: 'Patient.birthDate' },
            { name: 'value', valueDate: '1981-02-03' },
          ],
        },
      ],
    };
    const res = await server.http.patch(`/Patient/${id}`).set('Content-Type', fhirJson).send(parameters);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.birthDate, '1981-02-03');
    // The index follows the patch.
    const found = await server.http.get('/Patient?birthdate=1981-02-03');
    assert.equal(found.body.entry.length, 1);
  });

  it('checks If-Match against the current version', async () => {
    const stale = await server.http
      .patch(`/Patient/${id}`)
      .set('Content-Type', jsonPatch)
      .set('If-Match', 'W/"7"')
      .send(JSON.stringify([{ op: 'add', path: '/active', value: true }]));
    assert.equal(stale.status, 412);
    const current = await server.http
      .patch(`/Patient/${id}`)
      .set('Content-Type', jsonPatch)
      .set('If-Match', 'W/"1"')
      .send(JSON.stringify([{ op: 'add', path: '/active', value: true }]));
    assert.equal(current.status, 200);
  });

  it('refuses with 422, storing nothing, a patch whose result is not a valid resource', async () => {
    const res = await server.http
      .patch(`/Patient/${id}`)
      .set('Content-Type', jsonPatch)
      .send(JSON.stringify([{ op: 'add', path: '/birthDate', value: 'yesterday' }]));
    assert.equal(res.status, 422);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.match(JSON.stringify(res.body.issue[0].expression), /birthDate/);
    assert.equal(await versionOf(), '1');
    const failedTest = await server.http
      .patch(`/Patient/${id}`)
      .set('Content-Type', jsonPatch)
      .send(JSON.stringify([{ op: 'test', path: '/gender', value: 'female' }, { op: 'add', path: '/active', value: true }]));
    assert.equal(failedTest.status, 422);
    assert.equal(await versionOf(), '1');
  });

  it('refuses a malformed patch with 400, an unknown id with 404, a deleted one with 410, other media types with 415', async () => {
    const malformed = await server.http.patch(`/Patient/${id}`).set('Content-Type', jsonPatch).send(JSON.stringify([{ op: 'frobnicate', path: '/x' }]));
    assert.equal(malformed.status, 400);
    const notParameters = await server.http.patch(`/Patient/${id}`).set('Content-Type', fhirJson).send(patient());
    assert.equal(notParameters.status, 400);
    const op = JSON.stringify([{ op: 'add', path: '/active', value: true }]);
    assert.equal((await server.http.patch('/Patient/nobody').set('Content-Type', jsonPatch).send(op)).status, 404);
    await server.http.delete(`/Patient/${id}`);
    assert.equal((await server.http.patch(`/Patient/${id}`).set('Content-Type', jsonPatch).send(op)).status, 410);
    assert.equal((await server.http.patch(`/Patient/${id}`).set('Content-Type', 'text/plain').send(op)).status, 415);
  });

  it('patches by search: the one match, 404 for none, 412 for several', async () => {
    const op = JSON.stringify([{ op: 'add', path: '/active', value: true }]);
    const one = await server.http.patch(`/Patient?identifier=${system}|P-1`).set('Content-Type', jsonPatch).send(op);
    assert.equal(one.status, 200);
    assert.equal(one.body.id, id);
    assert.equal((await server.http.patch(`/Patient?identifier=${system}|nobody`).set('Content-Type', jsonPatch).send(op)).status, 404);
    await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'P-1' }] }));
    assert.equal((await server.http.patch(`/Patient?identifier=${system}|P-1`).set('Content-Type', jsonPatch).send(op)).status, 412);
  });

  it('patches inside transactions, with JSON Patch in a Binary or FHIRPath Patch, and rolls back with them', async () => {
    const data = Buffer.from(JSON.stringify([{ op: 'add', path: '/active', value: true }])).toString('base64');
    const bundle = (extra: Bundle['entry'] = []): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { resourceType: 'Binary', contentType: jsonPatch, data }, request: { method: 'PATCH', url: `Patient/${id}` } },
        ...extra,
      ],
    });
    const failing = await server.http
      .post('/')
      .set('Content-Type', fhirJson)
      .send(bundle([{ request: { method: 'GET', url: 'Patient/nobody' } }]));
    assert.equal(failing.status, 404);
    assert.equal(await versionOf(), '1', 'the patch was rolled back');
    const ok = await server.http.post('/').set('Content-Type', fhirJson).send(bundle());
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.entry[0].response.status, '200 OK');
    assert.equal(ok.body.entry[0].resource.active, true);
    const fhirPath = await server.http
      .post('/')
      .set('Content-Type', fhirJson)
      .send({
        resourceType: 'Bundle',
        type: 'batch',
        entry: [
          {
            resource: {
              resourceType: 'Parameters',
              parameter: [{ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }, { name: 'path', valueString: 'Patient.active' }] }],
            },
            request: { method: 'PATCH', url: `Patient?identifier=${system}|P-1` },
          },
        ],
      });
    assert.equal(fhirPath.body.entry[0].response.status, '200 OK', JSON.stringify(fhirPath.body));
    assert.equal(fhirPath.body.entry[0].resource.active, undefined);
  });
});
