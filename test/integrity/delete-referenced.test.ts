// Rule 'delete-referenced' (server/integrity/delete-referenced.ts) and `_cascade=delete`: a resource that
// current resources refer to is not deleted (409 naming some referrers) unless the caller asks to delete
// them with it and the server allows it; Provenance and AuditEvent records never block nor go with it.
import type { Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { observation, patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

describe('integrity: deleting a referenced resource', () => {
  let server: TestServer;
  const put = async (server: TestServer, resource: { resourceType: string; id?: string }): Promise<void> => {
    await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource).expect(201);
  };
  const seed = async (server: TestServer): Promise<void> => {
    await put(server, patient({ id: 'p1' }));
    await put(server, { ...observation('p1'), id: 'o1' });
    await put(server, { ...observation('p1', { hasMember: [{ reference: 'Observation/o1' }] }), id: 'panel' });
    await put(server, { resourceType: 'Provenance', id: 'prov', target: [{ reference: 'Patient/p1' }], recorded: '2026-01-01T00:00:00Z', agent: [{ who: { reference: 'Patient/p1' } }] } as never);
  };
  beforeEach(async () => {
    server = createTestServer();
    await seed(server);
  });
  afterEach(() => server.close());

  it('refuses with 409 naming the referrers, and deletes nothing', async () => {
    const res = await server.http.delete('/Patient/p1');
    assert.equal(res.status, 409);
    const issue = res.body.issue[0];
    assert.equal(issue.code, 'conflict');
    assert.equal(issue.diagnostics, 'write rule: delete-referenced');
    assert.match(issue.details.text, /Observation\/o1/);
    assert.match(issue.details.text, /Observation\/panel/);
    assert.doesNotMatch(issue.details.text, /Provenance/);
    assert.equal((await server.http.get('/Patient/p1')).status, 200);
  });

  it('deletes once the referrers are gone (Provenance never blocks)', async () => {
    await server.http.delete('/Observation/panel').expect(204);
    await server.http.delete('/Observation/o1').expect(204);
    await server.http.delete('/Patient/p1').expect(204);
    assert.equal((await server.http.get('/Provenance/prov')).status, 200);
  });

  it('lets a transaction delete both ends of a reference, in any order', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: ['Patient/p1', 'Observation/o1', 'Observation/panel'].map((url) => ({ request: { method: 'DELETE', url } })),
    };
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(bundle)).status, 200);
    assert.equal((await server.http.get('/Patient/p1')).status, 410);
  });

  it('refuses a transaction that leaves a reference dangling, naming the entry', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ request: { method: 'DELETE', url: 'Observation/o1' } }],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
    assert.equal(res.status, 409);
    assert.match(res.body.issue[0].details.text, /^Bundle\.entry\[0\].*Observation\/panel/);
  });

  it('refuses _cascade=delete unless the server allows it', async () => {
    const res = await server.http.delete('/Patient/p1?_cascade=delete');
    assert.equal(res.status, 400);
    assert.match(res.body.issue[0].details.text, /FHIR_CASCADE_DELETE/);
    assert.equal((await server.http.get('/Patient/p1')).status, 200);
  });

  it('deletes the referrers with it under _cascade=delete, referrers of referrers too, and keeps the records', async () => {
    const cascading = createTestServer({ cascadeDelete: true });
    try {
      await seed(cascading);
      const res = await cascading.http.delete('/Patient/p1?_cascade=delete');
      assert.equal(res.status, 200);
      assert.match(res.body.issue[0].details.text, /Deleted Patient\/p1 and, referring to it, .*Observation\/o1.*Observation\/panel|Observation\/panel.*Observation\/o1/);
      for (const url of ['/Patient/p1', '/Observation/o1', '/Observation/panel']) {
        assert.equal((await cascading.http.get(url)).status, 410, url);
      }
      assert.equal((await cascading.http.get('/Provenance/prov')).status, 200);
      assert.equal((await cascading.http.delete('/Patient/p1?_cascade=sideways')).status, 400);
    } finally {
      await cascading.close();
    }
  });

  it('is switched off by name', async () => {
    const off = createTestServer({ rulesOff: ['delete-referenced'] });
    try {
      await seed(off);
      await off.http.delete('/Patient/p1').expect(204);
    } finally {
      await off.close();
    }
  });
});
