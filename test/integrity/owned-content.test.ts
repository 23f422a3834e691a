// Rule 'owned-content' (server/integrity/owned-content.ts): what terminology/ and profiles/generated
// hold is owned by those files; the API may neither change nor delete it, nor claim its canonical url.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { loadContentDirectory } from '../../server/content/content-loader';
import { ContentOwnership } from '../../server/integrity/owned-content';
import { createTestServer, fhirJson, memoryStore, type TestServer } from '../helpers/test-server';

const generatedDir = path.resolve(__dirname, '../../../profiles/generated');
const bpUrl = 'https://fhir.dhc.example/StructureDefinition/dhc-blood-pressure';

describe('integrity: content owned by its files', function () {
  this.timeout(30_000);
  let server: TestServer;
  beforeEach(async () => {
    const store = memoryStore();
    const ownership = new ContentOwnership();
    ownership.add((await loadContentDirectory(store, generatedDir)).owned);
    server = createTestServer({ store, ownership });
  });
  afterEach(() => server.close());

  it('refuses to change or delete a loaded profile with 403 naming its file', async () => {
    const profile = (await server.http.get('/StructureDefinition/dhc-blood-pressure')).body;
    const weakened = { ...profile, differential: { element: [{ id: 'Observation', path: 'Observation' }] }, snapshot: undefined };
    const put = await server.http.put('/StructureDefinition/dhc-blood-pressure').set('Content-Type', fhirJson).send(weakened);
    assert.equal(put.status, 403);
    assert.equal(put.body.issue[0].code, 'forbidden');
    assert.equal(put.body.issue[0].diagnostics, 'write rule: owned-content');
    assert.match(put.body.issue[0].details.text, /profiles\/generated\/StructureDefinition-dhc-blood-pressure\.json/);
    const del = await server.http.delete('/SearchParameter/resident-id');
    assert.equal(del.status, 403);
    const patch = await server.http
      .patch('/StructureDefinition/dhc-blood-pressure')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'retired' }]));
    assert.equal(patch.status, 403);
    assert.equal((await server.http.get('/StructureDefinition/dhc-blood-pressure')).body.meta.versionId, '1');
  });

  it('refuses another resource claiming an owned canonical url, and lets other urls be', async () => {
    const profile = (await server.http.get('/StructureDefinition/dhc-blood-pressure')).body;
    const copy = await server.http.post('/StructureDefinition').set('Content-Type', fhirJson).send({ ...profile, id: undefined, meta: undefined });
    assert.equal(copy.status, 403);
    assert.deepEqual(copy.body.issue[0].expression, ['StructureDefinition.url']);
    assert.match(copy.body.issue[0].details.text, new RegExp(bpUrl));
    const own = await server.http
      .post('/StructureDefinition')
      .set('Content-Type', fhirJson)
      .send({ ...profile, id: undefined, meta: undefined, url: 'https://clinic.example/StructureDefinition/my-bp', name: 'MyBp' });
    assert.equal(own.status, 201);
  });

  it('is switched off by name', async () => {
    const store = memoryStore();
    const ownership = new ContentOwnership();
    ownership.add((await loadContentDirectory(store, generatedDir)).owned);
    const off = createTestServer({ store, ownership, rulesOff: ['owned-content'] });
    try {
      await off.http
        .patch('/SearchParameter/resident-id')
        .set('Content-Type', 'application/json-patch+json')
        .send(JSON.stringify([{ op: 'replace', path: '/status', value: 'retired' }]))
        .expect(200);
    } finally {
      await off.close();
    }
  });
});
