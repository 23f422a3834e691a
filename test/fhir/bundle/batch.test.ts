// Batch Bundles (https://hl7.org/fhir/R4/http.html#transaction): independent entries, one response each,
// in entry order.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

function batch(entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: 'batch', entry };
}

describe('batch Bundles', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  const send = (bundle: Bundle, prefer?: string) => {
    const req = server.http.post('/').set('Content-Type', fhirJson);
    return (prefer ? req.set('Prefer', prefer) : req).send(bundle);
  };

  it('runs each entry on its own: failures do not undo the others', async () => {
    const existing = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
    // Read by its own entry: entries run concurrently, so none reads what another one writes.
    const other = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
    const res = await send(
      batch([
        { resource: patient({ gender: 'female' }), request: { method: 'POST', url: 'Patient' } },
        { resource: { ...observation(existing.body.id), status: 'bogus' } as never, request: { method: 'POST', url: 'Observation' } },
        { request: { method: 'GET', url: 'Patient/does-not-exist' } },
        { request: { method: 'GET', url: `Patient/${other.body.id}` } },
        { resource: { ...existing.body, active: true }, request: { method: 'PUT', url: `Patient/${existing.body.id}`, ifMatch: 'W/"9"' } },
        { request: { method: 'DELETE', url: `Patient/${existing.body.id}` } },
        { request: { method: 'GET', url: `Patient?gender=female` } },
        { request: { method: 'FETCH', url: 'Patient' } } as never,
      ])
    );
    assert.equal(res.status, 200);
    assert.equal(res.body.type, 'batch-response');
    const statuses = res.body.entry.map((e: BundleEntry) => e.response!.status);
    assert.deepEqual(statuses.slice(0, 6), ['201 Created', '400 Bad Request', '404 Not Found', '200 OK', '412 Precondition Failed', '204 No Content']);
    assert.equal(statuses[6], '200 OK');
    assert.equal(statuses[7], '400 Bad Request');
    const created = res.body.entry[0];
    assert.equal(created.resource.gender, 'female');
    assert.equal(created.response.etag, 'W/"1"');
    assert.ok(created.response.lastModified);
    assert.equal((await server.http.get(`/Patient/${created.resource.id}`)).status, 200, 'the first entry stays written');
    assert.equal(res.body.entry[1].response.outcome.resourceType, 'OperationOutcome');
    assert.equal(res.body.entry[2].response.outcome.issue[0].code, 'not-found');
    assert.match(res.body.entry[7].response.outcome.issue[0].details.text, /request\.method/);
  });

  it('answers every entry in order, many at once', async () => {
    const entries = Array.from({ length: 120 }, (_, n) => ({
      resource: patient({ id: `batch-${n}`, birthDate: `1950-01-${String((n % 28) + 1).padStart(2, '0')}` }),
      request: { method: 'PUT' as const, url: `Patient/batch-${n}` },
    }));
    const res = await send(batch(entries), 'return=minimal');
    assert.equal(res.body.entry.length, 120);
    res.body.entry.forEach((e: BundleEntry, n: number) => {
      assert.equal(e.response!.status, '201 Created');
      assert.match(e.response!.location!, new RegExp(`/Patient/batch-${n}/_history/1$`));
      assert.equal(e.resource, undefined, 'return=minimal leaves the resource out');
    });
  });

  it('refuses an entry that refers to another entry by placeholder, which a batch may not do, and stores it not', async () => {
    const res = await send(
      batch([
        { fullUrl: 'urn:uuid:1b2c3d4e-0000-4000-8000-000000000001', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        {
          resource: { ...observation('x'), subject: { reference: 'urn:uuid:1b2c3d4e-0000-4000-8000-000000000001' } },
          request: { method: 'POST', url: 'Observation' },
        },
      ])
    );
    assert.equal(res.body.entry[0].response.status, '201 Created');
    assert.equal(res.body.entry[1].response.status, '422 Unprocessable Entity');
    const issue = res.body.entry[1].response.outcome.issue[0];
    assert.equal(issue.code, 'business-rule');
    assert.deepEqual(issue.expression, ['Observation.subject.reference']);
    assert.match(issue.details.text, /placeholder/);
    const stored = await server.http.get('/Observation?_total=accurate');
    assert.equal(stored.body.total, 0, 'nothing with a placeholder reference was stored');
  });
});
