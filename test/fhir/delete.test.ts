import type { Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

describe('delete (DELETE [type]/[id])', () => {
  let server: TestServer;
  let created: Patient;
  beforeEach(async () => {
    server = createTestServer();
    created = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body as Patient;
  });
  afterEach(() => server.close());

  it('answers 204 and writes a tombstone version; read then gives 410', async () => {
    const res = await server.http.delete(`/Patient/${created.id}`);
    assert.equal(res.status, 204);
    assert.equal(res.headers.etag, 'W/"2"');
    assert.equal((await server.http.get(`/Patient/${created.id}`)).status, 410);
    const version = await server.store.readVersion('Patient', created.id!, '2');
    assert.equal(version?.deleted, true);
  });

  it('is idempotent: deleting again answers 204 and writes nothing', async () => {
    await server.http.delete(`/Patient/${created.id}`);
    const again = await server.http.delete(`/Patient/${created.id}`);
    assert.equal(again.status, 204);
    const history = await server.http.get(`/Patient/${created.id}/_history`);
    assert.equal(history.body.entry.length, 2);
  });

  it('answers 404 for an id that never existed', async () => {
    const res = await server.http.delete('/Patient/never-was');
    assert.equal(res.status, 404);
    assert.equal(res.body.issue[0].code, 'not-found');
  });

  it('checks If-Match: a stale version gets 412 and the resource stays', async () => {
    await server.http.put(`/Patient/${created.id}`).set('Content-Type', fhirJson).send({ ...created, active: true });
    const res = await server.http.delete(`/Patient/${created.id}`).set('If-Match', 'W/"1"');
    assert.equal(res.status, 412);
    assert.equal((await server.http.get(`/Patient/${created.id}`)).status, 200);
  });

  it('removes the resource from search results', async () => {
    await server.http.delete(`/Patient/${created.id}`);
    const res = await server.http.get(`/Patient?_id=${created.id}`);
    assert.equal(res.body.total, 0);
  });
});
