// $validate with mode=create, update or delete answers what the write would: the write rules run in a
// transaction that is rolled back (server/fhir/pipeline/dry-run.ts), and nothing is stored.
import { strict as assert } from 'node:assert';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

describe('$validate runs the write rules without writing', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = createTestServer();
    await server.http.put('/Patient/p1').set('Content-Type', fhirJson).send(patient({ id: 'p1' })).expect(201);
    await server.http.put('/Observation/o1').set('Content-Type', fhirJson).send({ ...observation('p1'), id: 'o1' }).expect(201);
  });
  afterEach(() => server.close());

  const issues = (body: { issue: { severity: string; diagnostics?: string; details?: { text?: string } }[] }) =>
    body.issue.filter((i) => i.severity === 'error').map((i) => `${i.diagnostics ?? ''}: ${i.details?.text ?? ''}`);

  it('mode=create reports a reference rule refusal, as the create would, and stores nothing', async () => {
    const res = await server.http.post('/Observation/$validate?mode=create').set('Content-Type', fhirJson).send(observation('nobody'));
    assert.equal(res.status, 200);
    assert.match(issues(res.body).join('\n'), /write rule: reference-target-exists: Observation\.subject\.reference refers to Patient\/nobody/);
    const write = await server.http.post('/Observation').set('Content-Type', fhirJson).send(observation('nobody'));
    assert.equal(write.status, 422);
    assert.deepEqual(issues(res.body), issues(write.body));
    const fine = await server.http.post('/Observation/$validate?mode=create').set('Content-Type', fhirJson).send(observation('p1'));
    assert.deepEqual(issues(fine.body), []);
    assert.equal((await server.http.get('/Observation?_total=accurate')).body.total, 1, 'nothing was stored');
  });

  it('mode=update reports the same refusal on the instance', async () => {
    const res = await server.http
      .post('/Observation/o1/$validate?mode=update')
      .set('Content-Type', fhirJson)
      .send({ ...observation('ghost'), id: 'o1' });
    assert.match(issues(res.body).join('\n'), /reference-target-exists/);
    assert.equal((await server.http.get('/Observation/o1')).body.meta.versionId, '1');
  });

  it('mode=delete says a referenced resource cannot be deleted, and deletes nothing', async () => {
    const referenced = await server.http.post('/Patient/p1/$validate?mode=delete');
    assert.equal(referenced.status, 200);
    assert.match(issues(referenced.body).join('\n'), /write rule: delete-referenced: Patient\/p1 is still referred to by Observation\/o1/);
    const free = await server.http.post('/Observation/o1/$validate?mode=delete');
    assert.deepEqual(issues(free.body), []);
    assert.equal((await server.http.get('/Observation/o1')).status, 200);
    assert.equal((await server.http.get('/Patient/p1')).status, 200);
  });
});
