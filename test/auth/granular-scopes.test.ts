// Granular scopes (`patient/Observation.cruds?category=...|laboratory`) hold for every interaction:
// reads, search totals, _revinclude, and writes (a create, update or delete outside the category is 403
// and nothing is stored).
// https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html#finer-grained-resource-constraints-using-search-parameters
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';

const categories = 'http://terminology.hl7.org/CodeSystem/observation-category';
const labScope = `patient/Observation.cruds?category=${categories}|laboratory`;

describe('granular scopes', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let records: Resource[][];
  let token: string;

  before(async () => {
    server = createAuthTestServer();
    records = await loadGeneratedPatients(server.store, 3);
    token = server.token({ account: 'pat-0', fhirUser: 'Patient/pat-0', roles: ['patient'], organizations: [], scopes: ['patient/Patient.rs', labScope], patient: 'pat-0' });
  });
  after(() => server.close());

  const auth = (request: ReturnType<AuthTestServer['http']['get']>): ReturnType<AuthTestServer['http']['get']> => request.set('Authorization', `Bearer ${token}`);
  const isLab = (o: Observation): boolean => o.category?.some((c) => c.coding?.some((x) => x.system === categories && x.code === 'laboratory')) ?? false;
  const observationsOfPat0 = (): Observation[] =>
    records[0].filter((r): r is Observation => r.resourceType === 'Observation' && r.subject?.reference === 'Patient/pat-0');
  const observation = (id: string, category: string): Observation => ({
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [{ coding: [{ system: categories, code: category }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '2160-0', display: 'Creatinine [Mass/volume] in Serum or Plasma' }] },
    subject: { reference: 'Patient/pat-0' },
    effectiveDateTime: '2025-06-01T09:00:00+08:00',
    valueQuantity: { value: 80, unit: 'umol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' },
  });
  const stored = async (id: string): Promise<Observation | undefined> => {
    const current = await server.store.readCurrent('Observation', id);
    return current && !current.deleted ? (current.resource as Observation) : undefined;
  };

  it('counts and includes only the category in search totals and _revinclude', async () => {
    const labs = observationsOfPat0().filter(isLab);
    assert.ok(labs.length > 0 && labs.length < observationsOfPat0().length, 'pat-0 has laboratory and other Observations');
    const count = await auth(server.http.get('/Observation?_summary=count')).expect(200);
    assert.equal((count.body as Bundle).total, labs.length);
    const withTotal = await auth(server.http.get('/Observation?_total=accurate&_count=1')).expect(200);
    assert.equal((withTotal.body as Bundle).total, labs.length);
    const revincluded = await auth(server.http.get('/Patient?_id=pat-0&_revinclude=Observation:subject&_count=1000')).expect(200);
    const included = ((revincluded.body as Bundle).entry ?? []).map((e) => e.resource as Resource).filter((r): r is Observation => r.resourceType === 'Observation');
    assert.deepEqual(included.map((o) => o.id).sort(), labs.map((o) => o.id).sort());
  });

  it('creates an Observation of the category, and refuses one of another category with 403', async () => {
    await auth(server.http.put('/Observation/granular-lab')).send(observation('granular-lab', 'laboratory')).expect(201);
    const refused = await auth(server.http.post('/Observation')).send(observation('ignored', 'vital-signs')).expect(403);
    assert.equal(refused.body.issue[0].code, 'forbidden');
    assert.match(refused.body.issue[0].details.text, /outside what your scopes let you create/);
    const refusedPut = await auth(server.http.put('/Observation/granular-vitals')).send(observation('granular-vitals', 'vital-signs')).expect(403);
    assert.equal(refusedPut.body.issue[0].code, 'forbidden');
    assert.equal(await stored('granular-vitals'), undefined);
  });

  it('refuses to change an Observation of the category into another one, or to change or delete one outside it', async () => {
    await auth(server.http.put('/Observation/granular-lab')).send(observation('granular-lab', 'laboratory')).expect((res) => assert.ok([200, 201].includes(res.status)));
    await auth(server.http.put('/Observation/granular-lab')).send(observation('granular-lab', 'vital-signs')).expect(403);
    assert.ok(isLab((await stored('granular-lab')) as Observation), 'the stored version is unchanged');
    // A vital-signs Observation written by an administrator: the lab scope can neither relabel nor delete it.
    await server.http.put('/Observation/granular-admin-vitals').set('Authorization', `Bearer ${server.token()}`).send(observation('granular-admin-vitals', 'vital-signs')).expect(201);
    await auth(server.http.put('/Observation/granular-admin-vitals')).send(observation('granular-admin-vitals', 'laboratory')).expect(403);
    await auth(server.http.delete('/Observation/granular-admin-vitals')).expect(403);
    assert.ok(!isLab((await stored('granular-admin-vitals')) as Observation), 'the other category stays as it was');
    await auth(server.http.delete('/Observation/granular-lab')).expect(204);
  });

  it('holds inside a transaction Bundle: one entry outside the category refuses the whole Bundle', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: observation('granular-tx-lab', 'laboratory'), request: { method: 'PUT', url: 'Observation/granular-tx-lab' } },
        { resource: observation('granular-tx-vitals', 'vital-signs'), request: { method: 'PUT', url: 'Observation/granular-tx-vitals' } },
      ],
    };
    const refused = await auth(server.http.post('/')).send(bundle).expect(403);
    assert.equal(refused.body.issue[0].code, 'forbidden');
    assert.equal(await stored('granular-tx-lab'), undefined, 'nothing of the Bundle is stored');
  });
});
