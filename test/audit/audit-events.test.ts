// The AuditEvents the server records (server/audit): a sequence of create, read, search, update, delete
// and a denied read gives exactly the expected events, with BALP's agents and entities; Bundle entries
// carry their position; a search about several patients gives one event per patient; sign-ins, tokens
// and refused bearer tokens are recorded without secrets.
import type { AuditEvent, Bundle, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { registerClient } from '../../server/auth/accounts';
import type { AuthServer } from '../../server/auth/auth-server';
import { administratorToken, publicAppTokens, registerFlowFixtures, testAuthServer, testPassword, ticketOf, appRedirect, pkce } from '../helpers/auth';
import { observation, patient } from '../helpers/fixtures';
import { createTestServer, testBaseUrl, type TestServer } from '../helpers/test-server';
import { storedAuditEvents } from './stored-audit-events';

const fhirJson = 'application/fhir+json';

/** An event's shape in brief: subtype, action, outcome, requestor, entity references. */
function brief(event: AuditEvent): { subtype: string | undefined; action: string | undefined; outcome: string | undefined; requestor: string | undefined; entities: string[] } {
  const requestor = event.agent.find((a) => a.requestor)?.who;
  return {
    subtype: event.subtype?.[0]?.code,
    action: event.action,
    outcome: event.outcome,
    requestor: requestor?.reference ?? requestor?.identifier?.value ?? requestor?.display,
    entities: (event.entity ?? []).map((e) => e.what?.reference ?? (e.query ? `query:${Buffer.from(e.query, 'base64').toString('utf8')}` : `${e.description}:${e.detail?.[0]?.valueString}`)),
  };
}

describe('AuditEvents of every interaction', function () {
  this.timeout(60_000);
  let server: TestServer;
  let issuer: AuthServer;
  before(async () => {
    server = createTestServer({ audit: { flushMs: 5 } });
    issuer = testAuthServer(server.store);
    for (const id of ['clinic-a', 'clinic-b']) {
      await server.store.update({ resourceType: 'Organization', id, name: id });
    }
  });
  after(() => server.close());

  let seen = 0;
  /** The events stored since the last call. */
  const newEvents = async (): Promise<AuditEvent[]> => {
    const all = await storedAuditEvents(server);
    const fresh = all.slice(seen);
    seen = all.length;
    return fresh;
  };

  it('records create, read, search, update, delete and a denied read, exactly, with the right agents and entities', async () => {
    await newEvents();
    const created = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ managingOrganization: { reference: 'Organization/clinic-a' } }));
    assert.equal(created.status, 201, created.text);
    const id = (created.body as Patient).id as string;
    assert.equal((await server.http.get(`/Patient/${id}`)).status, 200);
    assert.equal((await server.http.get(`/Patient?_id=${id}`)).status, 200);
    const updated = await server.http.put(`/Patient/${id}`).set('Content-Type', fhirJson).send({ ...created.body, gender: 'female' });
    assert.equal(updated.status, 200, updated.text);
    const obs = await server.http.post('/Observation').set('Content-Type', fhirJson).send(observation(id));
    assert.equal(obs.status, 201, obs.text);
    assert.equal((await server.http.delete(`/Observation/${obs.body.id}`)).status, 204);
    const clinician = administratorToken(issuer, { account: 'dr-b', fhirUser: 'Practitioner/dr-b', roles: ['clinician'], organizations: ['Organization/clinic-b'], scopes: ['user/*.cruds'] });
    const denied = await supertest(server.app).get(`/Patient/${id}`).set('Authorization', `Bearer ${clinician}`);
    assert.equal(denied.status, 403);

    const events = await newEvents();
    assert.deepEqual(events.map(brief), [
      { subtype: 'create', action: 'C', outcome: '0', requestor: 'Practitioner/admin', entities: [`Patient/${id}/_history/1`] },
      { subtype: 'read', action: 'R', outcome: '0', requestor: 'Practitioner/admin', entities: [`Patient/${id}/_history/1`] },
      { subtype: 'search-type', action: 'E', outcome: '0', requestor: 'Practitioner/admin', entities: [`query:Patient?_id=${id}`, `Patient/${id}`] },
      { subtype: 'update', action: 'U', outcome: '0', requestor: 'Practitioner/admin', entities: [`Patient/${id}/_history/2`] },
      { subtype: 'create', action: 'C', outcome: '0', requestor: 'Practitioner/admin', entities: [`Observation/${obs.body.id}/_history/1`, `Patient/${id}`] },
      { subtype: 'delete', action: 'D', outcome: '0', requestor: 'Practitioner/admin', entities: [`Observation/${obs.body.id}`] },
      { subtype: 'read', action: 'R', outcome: '4', requestor: 'Practitioner/dr-b', entities: [`Patient/${id}`] },
    ]);
    // BALP's agents: the user (requestor), the client application with the address, this server.
    const [first] = events;
    assert.deepEqual(first.type, { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' });
    assert.deepEqual(first.subtype?.[0].system, 'http://hl7.org/fhir/restful-interaction');
    assert.deepEqual(first.agent.map((a) => a.type?.coding?.[0].code), ['IRCP', '110153', '110152']);
    assert.equal(first.agent[0].altId, 'admin');
    assert.equal(first.agent[1].who?.identifier?.value, 'test-client');
    assert.equal(first.agent[1].requestor, false);
    assert.ok(first.agent[1].network?.address, 'the client agent carries the network address');
    assert.equal(first.source.observer.identifier?.value, testBaseUrl);
    assert.equal(first.entity?.[0].role?.code, '1', 'a Patient is BALP’s patient entity');
    assert.equal(events[4].entity?.[0].role?.code, '4');
    assert.equal(events[4].entity?.[1].role?.code, '1');
    // The refusal: the status and the issue code, never the message.
    assert.equal(events[6].outcomeDesc, '403 forbidden');
    // Every event is a valid AuditEvent (the test's users have no Practitioner resource: that rule aside).
    for (const event of events) {
      const valid = await server.http.post('/AuditEvent/$validate').set('Content-Type', fhirJson).send(event);
      assert.equal(valid.status, 200, valid.text);
      const errors = valid.body.issue.filter((i: { severity: string; diagnostics?: string }) => i.severity === 'error' && i.diagnostics !== 'write rule: reference-target-exists');
      assert.deepEqual(errors, [], valid.text);
    }
  });

  it('records each batch and transaction entry with its position, after the Bundle’s own event', async () => {
    await newEvents();
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:0b5b5f6e-0000-4000-8000-000000000001', resource: patient({ managingOrganization: { reference: 'Organization/clinic-a' } }), request: { method: 'POST', url: 'Patient' } },
        { resource: observation('x', { subject: { reference: 'urn:uuid:0b5b5f6e-0000-4000-8000-000000000001' } }), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
    assert.equal(res.status, 200, res.text);
    const events = (await newEvents()).map(brief);
    assert.deepEqual(events.map((e) => e.subtype), ['create', 'create', 'transaction']);
    assert.deepEqual(events.slice(0, 2).map((e) => e.entities.find((x) => x.startsWith('transaction entry'))), ['transaction entry:0', 'transaction entry:1']);
    const batch = await server.http.post('/').set('Content-Type', fhirJson).send({ resourceType: 'Bundle', type: 'batch', entry: [{ request: { method: 'GET', url: 'Patient/nobody' } }] });
    assert.equal(batch.status, 200);
    const batchEvents = (await newEvents()).map(brief);
    assert.deepEqual(batchEvents.map((e) => [e.subtype, e.outcome]), [['read', '4'], ['batch', '0']]);
    assert.deepEqual(batchEvents[0].entities, ['Patient/nobody', 'batch entry:0']);
  });

  it('gives one event per patient when a search returns several patients’ data, each with the query', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      const created = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ gender: 'other', managingOrganization: { reference: 'Organization/clinic-a' } }));
      ids.push(created.body.id);
    }
    await newEvents();
    assert.equal((await server.http.get('/Patient?gender=other')).status, 200);
    const events = (await newEvents()).map(brief);
    assert.equal(events.length, 2);
    assert.deepEqual(events.map((e) => e.entities[1]).sort(), ids.map((id) => `Patient/${id}`).sort());
    assert.ok(events.every((e) => e.entities[0] === 'query:Patient?gender=other'));
  });

  it('records sign-ins, token requests and refused bearer tokens, never a password or token', async () => {
    const authStore = server.store.authStore!();
    await registerFlowFixtures(authStore, 'Organization/clinic-a');
    const { secret } = await registerClient(authStore, { clientId: 'audit-tool', name: 'audit tool', type: 'confidential-symmetric', scopes: ['system/*.rs'], roles: ['auditor'] });
    const plain = supertest(server.app);
    await newEvents();
    const { challenge } = pkce();
    const page = await plain.get('/auth/authorize').query({ response_type: 'code', client_id: 'public-app', redirect_uri: appRedirect, scope: 'openid fhirUser user/*.rs', state: 's', aud: testBaseUrl, code_challenge: challenge, code_challenge_method: 'S256' });
    const wrong = await plain.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: 'dr-li', password: 'not the password' });
    assert.equal(wrong.status, 401);
    const { body } = await publicAppTokens(plain, 'dr-li', 'openid fhirUser user/*.rs');
    const basic = `Basic ${Buffer.from(`audit-tool:${secret as string}`).toString('base64')}`;
    assert.equal((await plain.post('/auth/token').set('Authorization', basic).type('form').send({ grant_type: 'client_credentials', scope: 'system/*.rs' })).status, 200);
    assert.equal((await plain.post('/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: 'audit-tool', client_secret: 'wrong' })).status, 401);
    assert.equal((await plain.get('/Patient').set('Authorization', 'Bearer not-a-token')).status, 401);
    const events = await newEvents();
    const summary = events.map((e) => [e.type?.code, e.outcome, e.entity?.[0]?.description, e.agent.find((a) => a.requestor)?.altId ?? e.agent.find((a) => a.requestor)?.who?.identifier?.value ?? e.agent.find((a) => a.requestor)?.who?.display]);
    assert.deepEqual(summary, [
      ['110114', '4', 'login form', 'dr-li'],
      ['110114', '0', 'login form', 'dr-li'],
      ['110114', '0', 'token endpoint', 'dr-li'],
      ['110114', '0', 'token endpoint', 'audit-tool'],
      ['110114', '4', 'token endpoint', 'audit-tool'],
      ['110114', '4', 'bearer token of a FHIR request', 'anonymous'],
    ]);
    const text = JSON.stringify(events);
    for (const secretValue of [testPassword, 'not the password', body.access_token, secret as string, 'not-a-token']) {
      assert.ok(!text.includes(secretValue), 'no password, secret or token in an AuditEvent');
    }
    assert.equal(events[2].entity?.[0].detail?.[0].valueString, 'authorization_code');
    assert.equal(events[2].agent[0].who?.reference, 'PractitionerRole/role-test');
  });

  it('records nothing with auditing off, and the server’s own work never', async () => {
    const off = createTestServer();
    try {
      await off.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
      assert.equal(off.audit, undefined);
      assert.equal((await off.store.history({ resourceType: 'AuditEvent', count: 10 })).versions.length, 0);
    } finally {
      await off.close();
    }
  });
});
