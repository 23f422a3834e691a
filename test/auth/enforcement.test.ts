// Enforcement on every interaction, through the request pipeline: a patient's token and a clinic's
// clinician against the data of others, directly, by search, _include, _revinclude, chains, _has,
// history, $everything and Bundle entries; writes outside the grant; 401 and 403 as FHIR says.
import type { Bundle, Observation, Patient, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import jwt from 'jsonwebtoken';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import { referencedPatients, withSecurity } from '../../server/auth/enforcement';
import { createFhirCore } from '../../server/fhir-core';
import { administratorToken, createAuthTestServer, loadGeneratedPatients, testAuthServer, testKeyRing, type AuthTestServer } from '../helpers/auth';
import { createTestServer, memoryStore, testBaseUrl, testConfig, testRegistry } from '../helpers/test-server';

describe('enforcement on every request', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let records: Resource[][];
  let patientToken: string;
  let clinicianToken: string;
  let clinic: string;
  let otherClinicPatient: string;

  before(async () => {
    server = createAuthTestServer();
    records = await loadGeneratedPatients(server.store, 6);
    const patients = records.map((r) => r[0] as Patient);
    clinic = patients[0].managingOrganization?.reference as string;
    otherClinicPatient = patients.find((p) => p.managingOrganization?.reference !== clinic)?.id as string;
    patientToken = server.token({ account: 'pat-0', fhirUser: 'Patient/pat-0', roles: ['patient'], organizations: [], scopes: ['patient/*.rs', 'patient/Observation.c'], patient: 'pat-0' });
    clinicianToken = server.token({ account: 'dr', fhirUser: 'PractitionerRole/role-x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.cruds'] });
  });
  after(() => server.close());

  const get = (path: string, token: string) => server.http.get(path).set('Authorization', `Bearer ${token}`);
  const observationOf = (patient: string): Observation =>
    records.flat().find((r) => r.resourceType === 'Observation' && (r as Observation).subject?.reference === `Patient/${patient}`) as Observation;
  const entryIds = (bundle: Bundle): string[] => (bundle.entry ?? []).map((e) => `${e.resource?.resourceType}/${e.resource?.id}`);
  const patientsIn = (bundle: Bundle): Set<string> =>
    new Set((bundle.entry ?? []).map((e) => e.resource as Observation).filter((r) => r.resourceType === 'Observation').map((o) => o.subject?.reference as string));

  it('answers 401 with WWW-Authenticate for a missing, malformed, expired or forged token; /metadata stays open', async () => {
    const missing = await server.http.get('/Patient');
    assert.equal(missing.status, 401);
    assert.match(missing.headers['www-authenticate'] as string, /^Bearer/);
    assert.equal(missing.body.resourceType, 'OperationOutcome');
    assert.equal(missing.body.issue[0].code, 'login');
    const malformed = await server.http.get('/Patient').set('Authorization', 'Basic YTpi');
    assert.equal(malformed.status, 401);
    const key = testKeyRing().current();
    const expired = jwt.sign({ client_id: 'x', scope: 'user/*.rs', kind: 'user', roles: ['administrator'], orgs: [], exp: Math.floor(Date.now() / 1000) - 5 }, key.privateKey, {
      algorithm: 'RS256', keyid: key.kid, issuer: testBaseUrl, audience: testBaseUrl, jwtid: 'e',
    });
    const res = await get('/Patient', expired);
    assert.equal(res.status, 401);
    assert.match(res.headers['www-authenticate'] as string, /error="invalid_token"/);
    const wrongAudience = jwt.sign({ client_id: 'x', scope: 'user/*.rs', kind: 'user', roles: ['administrator'], orgs: [] }, key.privateKey, {
      algorithm: 'RS256', keyid: key.kid, issuer: testBaseUrl, audience: 'https://elsewhere.example/fhir', jwtid: 'w', expiresIn: 60,
    });
    assert.equal((await get('/Patient', wrongAudience)).status, 401);
    const none = jwt.sign({ client_id: 'x', scope: 'user/*.cruds', kind: 'user', roles: ['administrator'], orgs: [], jti: 'n' }, '', { algorithm: 'none', issuer: testBaseUrl, audience: testBaseUrl });
    assert.equal((await get('/Patient', none)).status, 401);
    assert.equal((await server.http.get('/metadata')).status, 200);
  });

  it('refuses a patient token reading another patient’s Observation directly, with a 403 OperationOutcome', async () => {
    const other = observationOf('pat-1');
    const res = await get(`/Observation/${other.id}`, patientToken);
    assert.equal(res.status, 403);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue[0].code, 'forbidden');
    assert.equal((await get(`/Observation/${observationOf('pat-0').id}`, patientToken)).status, 200);
    assert.equal((await get(`/Observation/${other.id}/_history`, patientToken)).status, 403);
    assert.equal((await get('/Patient/pat-1', patientToken)).status, 403);
  });

  it('never shows a patient token another patient’s data by search, total, chain or _has', async () => {
    const all = (await get('/Observation?_count=500&_total=accurate', patientToken)).body as Bundle;
    assert.deepEqual([...patientsIn(all)], ['Patient/pat-0']);
    const own = records[0].filter((r) => r.resourceType === 'Observation').length;
    assert.equal(all.total, own);
    const direct = (await get('/Observation?subject=Patient/pat-1', patientToken)).body as Bundle;
    assert.equal(direct.entry?.length ?? 0, 0);
    const family = (records[1][0] as Patient).name?.[0]?.family as string;
    const chained = (await get(`/Observation?subject:Patient.family=${encodeURIComponent(family)}`, patientToken)).body as Bundle;
    assert.ok([...patientsIn(chained)].every((p) => p === 'Patient/pat-0'));
    const has = (await get('/Patient?_has:Observation:subject:status=final', patientToken)).body as Bundle;
    assert.deepEqual(entryIds(has), ['Patient/pat-0']);
  });

  it('never adds another patient by _include or _revinclude', async () => {
    const included = (await get('/Observation?_include=Observation:subject&_count=500', patientToken)).body as Bundle;
    const patients = (included.entry ?? []).filter((e) => e.resource?.resourceType === 'Patient').map((e) => e.resource?.id);
    assert.deepEqual(patients, ['pat-0']);
    const rev = (await get('/Patient?_revinclude=Observation:subject&_count=50', server.token({ roles: ['clinician'], organizations: [clinic], scopes: ['user/*.rs'] }))).body as Bundle;
    const clinicPatients = new Set(records.map((r) => r[0] as Patient).filter((p) => p.managingOrganization?.reference === clinic).map((p) => `Patient/${p.id}`));
    assert.ok(patientsIn(rev).size > 0);
    assert.ok([...patientsIn(rev)].every((p) => clinicPatients.has(p)));
  });

  it('keeps $everything to the patient’s own record', async () => {
    assert.equal((await get('/Patient/pat-1/$everything', patientToken)).status, 403);
    const own = (await get('/Patient/pat-0/$everything?_count=1000', patientToken)).body as Bundle;
    const subjects = (own.entry ?? []).map((e) => (e.resource as Observation).subject?.reference).filter(Boolean);
    assert.ok(subjects.length > 0);
    assert.ok(subjects.every((s) => s === 'Patient/pat-0'), JSON.stringify([...new Set(subjects)]));
  });

  it("refuses a clinic's clinician another clinic's patient, and lists only the clinic's", async () => {
    assert.equal((await get(`/Patient/${otherClinicPatient}`, clinicianToken)).status, 403);
    const listed = (await get('/Patient?_count=100', clinicianToken)).body as Bundle;
    const ids = (listed.entry ?? []).map((e) => e.resource as Patient);
    assert.ok(ids.length > 0);
    assert.ok(ids.every((p) => p.managingOrganization?.reference === clinic));
    assert.equal((await get(`/Patient/${otherClinicPatient}/Observation`, clinicianToken)).status, 403);
  });

  it('keeps writes inside the grant', async () => {
    const post = (body: object, token: string) => server.http.post('/Observation').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/fhir+json').send(body);
    const reading = (patient: string): Observation => ({ resourceType: 'Observation', status: 'final', code: { text: 'home blood pressure' }, subject: { reference: `Patient/${patient}` } });
    assert.equal((await post(reading('pat-0'), patientToken)).status, 201);
    const outside = await post(reading('pat-1'), patientToken);
    assert.equal(outside.status, 403, outside.text);
    assert.equal(outside.body.issue[0].code, 'forbidden');
    assert.equal((await post(reading(otherClinicPatient), clinicianToken)).status, 403);
    const auditor = server.token({ roles: ['auditor'], scopes: ['user/*.cruds'] });
    assert.equal((await post(reading('pat-0'), auditor)).status, 403);
    const update = await server.http.put('/Patient/pat-0').set('Authorization', `Bearer ${patientToken}`).set('Content-Type', 'application/fhir+json').send(records[0][0]);
    assert.equal(update.status, 403, 'a patient/*.rs token does not update');
  });

  it("lets a backend client register a patient at its clinic in a transaction, records first, and refuses another clinic's", async () => {
    const vendor = server.token({ kind: 'client', clientId: 'his', account: undefined, fhirUser: undefined, roles: [], organizations: [clinic], scopes: ['system/*.cruds'] });
    const transaction = (organization: string): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          fullUrl: 'urn:uuid:0f4d6c1e-7a38-4c59-9d1e-3a9e2f6b8c11',
          resource: { resourceType: 'Observation', status: 'final', code: { text: 'weight' }, subject: { reference: 'urn:uuid:5b7e2a90-1c3d-4e8f-a6b2-9d0c4e1f7a22' } },
          request: { method: 'POST', url: 'Observation' },
        },
        {
          fullUrl: 'urn:uuid:5b7e2a90-1c3d-4e8f-a6b2-9d0c4e1f7a22',
          resource: { resourceType: 'Patient', gender: 'female', managingOrganization: { reference: organization } },
          request: { method: 'POST', url: 'Patient' },
        },
      ],
    });
    const post = (bundle: Bundle) => server.http.post('/').set('Authorization', `Bearer ${vendor}`).set('Content-Type', 'application/fhir+json').send(bundle);
    const ok = await post(transaction(clinic));
    assert.equal(ok.status, 200, ok.text);
    const refused = await post(transaction('Organization/not-ours'));
    assert.equal(refused.status, 403, refused.text);
  });

  it('decides each Bundle entry on its own', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Patient/pat-0' } },
        { request: { method: 'GET', url: 'Patient/pat-1' } },
      ],
    };
    const res = await server.http.post('/').set('Authorization', `Bearer ${patientToken}`).set('Content-Type', 'application/fhir+json').send(bundle);
    assert.equal(res.status, 200, res.text);
    const statuses = (res.body as Bundle).entry?.map((e) => e.response?.status);
    assert.deepEqual(statuses?.map((s) => s?.slice(0, 3)), ['200', '403']);
  });

  it('opens one record outside the grant by break-the-glass, with a stated reason, audited', async () => {
    const clinician = server.token({ account: 'dr', fhirUser: 'PractitionerRole/role-x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.rs'] });
    const short = await server.http.post('/auth/break-glass').set('Authorization', `Bearer ${clinician}`).send({ patient: otherClinicPatient, reason: 'x' });
    assert.equal(short.status, 400);
    const granted = await server.http.post('/auth/break-glass').set('Authorization', `Bearer ${clinician}`).send({ patient: otherClinicPatient, reason: 'unconscious patient brought in by family' });
    assert.equal(granted.status, 200, granted.text);
    assert.ok(granted.body.expires_in <= 900);
    assert.equal((await get(`/Patient/${otherClinicPatient}`, granted.body.access_token)).status, 200);
    const audit = (await get(`/AuditEvent?entity=Patient/${otherClinicPatient}`, server.token())).body as Bundle;
    const event = audit.entry?.[0]?.resource as { purposeOfEvent?: { coding?: { code?: string }[]; text?: string }[] };
    assert.equal(event.purposeOfEvent?.[0]?.coding?.[0]?.code, 'BTG');
    assert.equal(event.purposeOfEvent?.[0]?.text, 'unconscious patient brought in by family');
    const patientTries = await server.http.post('/auth/break-glass').set('Authorization', `Bearer ${patientToken}`).send({ patient: 'pat-1', reason: 'I would like to see it' });
    assert.equal(patientTries.status, 403);
  });
});

describe('conformance resources', function () {
  this.timeout(60_000);

  it('are created and changed by the administrator only', async () => {
    const store = memoryStore();
    try {
      const auth = testAuthServer(store);
      const config = { ...testConfig, auth: true };
      const core = createFhirCore({ config, store, registry: testRegistry(), pipeline: withSecurity() });
      const app = createApp({ config, store, registry: testRegistry(), logger: pino({ level: 'silent' }), core, auth });
      const codeSystem = { resourceType: 'CodeSystem', id: 'local-cs', url: 'https://fhir.dhc.example/CodeSystem/local', status: 'active', content: 'complete' };
      const put = (token: string) => supertest(app).put('/CodeSystem/local-cs').set('Authorization', `Bearer ${token}`).set('Content-Type', 'application/fhir+json').send(codeSystem);
      const clinician = await put(administratorToken(auth, { roles: ['clinician'], organizations: ['Organization/c'] }));
      assert.equal(clinician.status, 403);
      assert.equal(clinician.body.issue[0].code, 'forbidden');
      assert.equal((await put(administratorToken(auth))).status, 201);
    } finally {
      await store.close();
    }
  });
});

describe('security off (FHIR_AUTH=off)', () => {
  it('serves requests without a token, for local experiments only', async () => {
    const server = createTestServer({ auth: false });
    try {
      const res = await supertest(server.app).get('/Patient');
      assert.equal(res.status, 200);
      assert.equal((await supertest(server.app).get('/.well-known/smart-configuration')).status, 404, 'no authorization server runs');
      const metadata = await supertest(server.app).get('/metadata');
      assert.equal(metadata.body.rest[0].security, undefined, 'the CapabilityStatement claims no security');
    } finally {
      await server.close();
    }
  });
});

describe('referencedPatients', () => {
  it('finds every Patient reference at any depth, once, and none inside contained resources or in other strings', () => {
    const encounter = {
      resourceType: 'Encounter',
      id: 'e1',
      subject: { reference: 'Patient/p1' },
      participant: [{ individual: { reference: 'Practitioner/d1' } }, { individual: { reference: 'Patient/p2' } }],
      reasonReference: [{ reference: 'Patient/p1' }],
      note: [{ text: 'see Patient/p9' }],
      extension: [{ url: 'x', valueReference: { reference: 'Patient/p3' } }],
      identifier: [{ value: 'Patient/p8 ' }],
      basedOn: [{ reference: 'Patient/not valid!' }],
      contained: [{ resourceType: 'Patient', id: 'c', link: [{ other: { reference: 'Patient/p7' } }] }],
    } as unknown as Resource;
    assert.deepEqual(referencedPatients(encounter).sort(), ['p1', 'p2', 'p3']);
  });
});
