// Who reads AuditEvents (server/auth/policy/audit-visibility.ts): the auditor all of them and every
// clinic's history, writing nothing; a clinic's clinician none (403); a patient those about their own
// record. AuditEvent search by date, agent, entity, patient, type, subtype, action, outcome, source and
// _sort=-date.
import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import supertest from 'supertest';
import { administratorToken, testAuthServer } from '../helpers/auth';
import { observation, patient } from '../helpers/fixtures';
import { createTestServer, testBaseUrl, type TestServer } from '../helpers/test-server';
import { storedAuditEvents } from './stored-audit-events';

const fhirJson = 'application/fhir+json';

describe('access to AuditEvents', function () {
  this.timeout(60_000);
  let server: TestServer;
  let http: ReturnType<typeof supertest>;
  let auditor: string;
  let clinician: string;
  let patientToken: string;
  let mine: string;
  let other: string;
  before(async () => {
    server = createTestServer({ audit: { flushMs: 5 } });
    http = supertest(server.app);
    const issuer = testAuthServer(server.store);
    for (const id of ['clinic-a', 'clinic-b']) {
      await server.store.update({ resourceType: 'Organization', id, name: id });
    }
    mine = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ managingOrganization: { reference: 'Organization/clinic-a' } }))).body.id;
    other = (await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ managingOrganization: { reference: 'Organization/clinic-b' } }))).body.id;
    await server.http.post('/Observation').set('Content-Type', fhirJson).send(observation(other));
    auditor = administratorToken(issuer, { account: 'auditor', fhirUser: 'Practitioner/auditor', roles: ['auditor'], organizations: [], scopes: ['user/*.rs'] });
    clinician = administratorToken(issuer, { account: 'dr-a', fhirUser: 'Practitioner/dr-a', roles: ['clinician'], organizations: ['Organization/clinic-a'], scopes: ['user/*.cruds'] });
    patientToken = administratorToken(issuer, { account: 'pat', fhirUser: `Patient/${mine}`, roles: ['patient'], organizations: [], scopes: ['patient/*.rs'], patient: mine });
    // The clinician reads its own patient: an event about `mine` with the clinician as requestor.
    assert.equal((await http.get(`/Patient/${mine}`).set('Authorization', `Bearer ${clinician}`)).status, 200);
    await storedAuditEvents(server);
  });
  after(() => server.close());

  const get = (path: string, token: string) => http.get(path).set('Authorization', `Bearer ${token}`);
  const eventsIn = (bundle: Bundle): AuditEvent[] => (bundle.entry ?? []).map((e) => e.resource as AuditEvent);

  it('lets the auditor read every AuditEvent and another clinic’s history, and write nothing', async () => {
    const all = await get('/AuditEvent?_count=100', auditor);
    assert.equal(all.status, 200, all.text);
    assert.ok(eventsIn(all.body).length >= 4);
    const history = await get(`/Patient/${other}/_history`, auditor);
    assert.equal(history.status, 200);
    assert.equal((history.body as Bundle).entry?.length, 1);
    const write = await http.post('/Observation').set('Authorization', `Bearer ${auditor}`).set('Content-Type', fhirJson).send(observation(other));
    assert.equal(write.status, 403);
  });

  it('refuses a clinic’s clinician any AuditEvent, by search or by id', async () => {
    const search = await get('/AuditEvent', clinician);
    assert.equal(search.status, 403);
    assert.equal(search.body.issue[0].code, 'forbidden');
    const [event] = await storedAuditEvents(server);
    assert.equal((await get(`/AuditEvent/${event.id}`, clinician)).status, 403);
    const everything = await get(`/Patient/${mine}/$everything`, clinician);
    assert.ok(!eventsIn(everything.body).some((r) => r.resourceType === 'AuditEvent'), 'no AuditEvent through $everything');
  });

  it('shows a patient the AuditEvents about their own record only: who read it', async () => {
    const res = await get('/AuditEvent?_count=100', patientToken);
    assert.equal(res.status, 200, res.text);
    const events = eventsIn(res.body);
    assert.ok(events.length >= 2);
    for (const event of events) {
      assert.ok(event.entity?.some((e) => e.what?.reference?.startsWith(`Patient/${mine}`)), JSON.stringify(event.entity));
    }
    assert.ok(events.some((e) => e.agent.some((a) => a.requestor && a.who?.reference === 'Practitioner/dr-a')), 'the clinician’s read is listed');
    const aboutOther = (await storedAuditEvents(server)).find((e) => e.entity?.some((x) => x.what?.reference?.startsWith(`Patient/${other}`)));
    assert.equal((await get(`/AuditEvent/${aboutOther?.id}`, patientToken)).status, 403);
  });

  it('searches AuditEvents by date, agent, entity, patient, type, subtype, action, outcome, source, sorted by date', async () => {
    const stored = await storedAuditEvents(server);
    const known = new Set(stored.map((e) => e.id));
    // Each search is audited too: the events recorded after the snapshot are left out.
    const ids = async (query: string): Promise<string[]> => {
      const res = await get(`/AuditEvent?${query}&_count=500`, auditor);
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return eventsIn(res.body).map((e) => e.id as string).filter((id) => known.has(id)).sort();
    };
    const expect = (match: (e: AuditEvent) => boolean): string[] => stored.filter(match).map((e) => e.id as string).sort();
    const aboutOther = (e: AuditEvent): boolean => !!e.entity?.some((x) => x.what?.reference?.startsWith(`Patient/${other}`));
    assert.deepEqual(await ids(`patient=Patient/${other}`), expect(aboutOther));
    assert.deepEqual(await ids(`entity=Patient/${other}`), expect(aboutOther));
    assert.deepEqual(await ids('agent=Practitioner/dr-a'), expect((e) => e.agent.some((a) => a.who?.reference === 'Practitioner/dr-a')));
    assert.deepEqual(await ids('type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest'), expect((e) => e.type.code === 'rest'));
    assert.deepEqual(await ids('subtype=create'), expect((e) => e.subtype?.[0].code === 'create'));
    assert.deepEqual(await ids('action=C'), expect((e) => e.action === 'C'));
    assert.deepEqual(await ids('outcome=0'), expect((e) => e.outcome === '0'));
    assert.deepEqual(await ids(`source:identifier=${encodeURIComponent(`urn:ietf:rfc:3986|${testBaseUrl}`)}`), expect(() => true));
    assert.deepEqual(await ids(`date=ge${stored[0].recorded}`), expect(() => true));
    assert.deepEqual(await ids('date=lt2000-01-01'), []);
    // Only those are indexed (server/audit/audit-search-parameters.ts): R4's others are unknown here.
    const strict = await http.get('/AuditEvent?altid=dr-a').set('Authorization', `Bearer ${auditor}`).set('Prefer', 'handling=strict');
    assert.equal(strict.status, 400);
    assert.deepEqual(strict.body.issue[0].expression, ['altid']);
    const sorted = await get('/AuditEvent?_sort=-date&_count=500', auditor);
    const recorded = eventsIn(sorted.body).map((e) => e.recorded);
    assert.deepEqual(recorded, [...recorded].sort().reverse());
    assert.ok(recorded.length >= stored.length);
  });
});
