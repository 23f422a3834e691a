// AuditEvents cannot be changed (server/audit/audit-write-rule.ts): update, patch and delete are refused
// with 403 for everyone, the administrator included, in a transaction too; a client records its own
// events only as one of their agents.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { administratorToken, testAuthServer } from '../helpers/auth';
import { createTestServer, type TestServer } from '../helpers/test-server';
import { storedAuditEvents } from './stored-audit-events';

const fhirJson = 'application/fhir+json';

describe('AuditEvents are immutable', function () {
  this.timeout(60_000);
  let server: TestServer;
  let stored: AuditEvent;
  let clinician: string;
  let patientId: string;
  before(async () => {
    server = createTestServer({ audit: { flushMs: 5 } });
    await server.store.update({ resourceType: 'Organization', id: 'clinic-a', name: 'A' });
    await server.store.update({ resourceType: 'Practitioner', id: 'dr-a' });
    patientId = (await server.store.create({ resourceType: 'Patient', id: 'pat-a', managingOrganization: { reference: 'Organization/clinic-a' } })).id;
    await server.http.get('/Organization/clinic-a');
    [stored] = await storedAuditEvents(server);
    clinician = administratorToken(testAuthServer(server.store), { account: 'dr-a', fhirUser: 'Practitioner/dr-a', roles: ['clinician'], organizations: ['Organization/clinic-a'], scopes: ['user/*.cruds'] });
  });
  after(() => server.close());

  it('refuses update, patch and delete with 403, for the administrator too, and keeps the event as it was', async () => {
    const put = await server.http.put(`/AuditEvent/${stored.id}`).set('Content-Type', fhirJson).send({ ...stored, outcome: '8' });
    assert.equal(put.status, 403, put.text);
    assert.equal(put.body.issue[0].code, 'forbidden');
    assert.equal(put.body.issue[0].diagnostics, 'write rule: audit-records');
    const patch = await server.http.patch(`/AuditEvent/${stored.id}`).set('Content-Type', 'application/json-patch+json').send([{ op: 'replace', path: '/outcome', value: '8' }]);
    assert.equal(patch.status, 403, patch.text);
    assert.equal((await server.http.delete(`/AuditEvent/${stored.id}`)).status, 403);
    const transaction = await server.http.post('/').set('Content-Type', fhirJson).send({ resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'DELETE', url: `AuditEvent/${stored.id}` } }] });
    assert.equal(transaction.status, 403, transaction.text);
    const current = await server.store.readCurrent('AuditEvent', stored.id as string);
    assert.equal(current?.versionId, '1');
    assert.deepEqual(current?.resource, stored);
  });

  it('lets a client record its own event, naming itself as an agent, and refuses one naming someone else', async () => {
    const own: AuditEvent = {
      resourceType: 'AuditEvent',
      type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
      action: 'R',
      recorded: new Date().toISOString(),
      outcome: '0',
      agent: [{ who: { reference: 'Practitioner/dr-a' }, requestor: true }],
      source: { observer: { display: 'clinic app' } },
      entity: [{ what: { reference: `Patient/${patientId}` } }],
    };
    const http = supertest(server.app);
    const created = await http.post('/AuditEvent').set('Authorization', `Bearer ${clinician}`).set('Content-Type', fhirJson).send(own);
    assert.equal(created.status, 201, created.text);
    const forged = await http.post('/AuditEvent').set('Authorization', `Bearer ${clinician}`).set('Content-Type', fhirJson).send({ ...own, agent: [{ who: { reference: 'Practitioner/someone-else' }, requestor: true }] });
    assert.equal(forged.status, 403, forged.text);
    assert.equal(forged.body.issue[0].expression[0], 'AuditEvent.agent');
    // The clinician may not change the event it recorded either.
    const changed = await http.put(`/AuditEvent/${created.body.id}`).set('Authorization', `Bearer ${clinician}`).set('Content-Type', fhirJson).send({ ...created.body, outcome: '4' });
    assert.equal(changed.status, 403);
  });

  it('refuses changes with auditing off as well', async () => {
    const off = createTestServer();
    try {
      const created = await off.store.create({ resourceType: 'AuditEvent', id: 'ae-1', type: { code: 'rest' }, recorded: '2026-01-01T00:00:00Z', agent: [{ requestor: true, who: { display: 'x' } }], source: { observer: { display: 'x' } } } as AuditEvent);
      assert.equal((await off.http.delete(`/AuditEvent/${created.id}`)).status, 403);
    } finally {
      await off.close();
    }
  });
});
