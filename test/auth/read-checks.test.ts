// A read by id of a restricted caller (a clinic's clinician) answers the visibility question once: the
// policy's check before the read and the read through the caller's view share the verdict, so the
// restriction's query runs once per read, not twice (a search each, as the store sees them).
import type { Observation, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { SearchPlan } from '../../server/search/plan';
import type { ResourceStore } from '../../server/store/port';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';
import { memoryStore } from '../helpers/test-server';

describe('restricted reads by id', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let restrictedSearches = 0;
  let currentReads = 0;
  let lastPlan: SearchPlan | undefined;
  let clinicianToken: string;
  let own: Patient;
  let ownObservation: Observation;
  let otherObservation: Observation;
  let other: Patient;

  before(async () => {
    const store = memoryStore();
    // A read by id searches only to check visibility: every search counted is one such check.
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'search') {
          return (plan: SearchPlan) => {
            restrictedSearches++;
            lastPlan = plan;
            return target.search(plan);
          };
        }
        if (property === 'readCurrent') {
          return (resourceType: string, id: string) => {
            currentReads++;
            return target.readCurrent(resourceType, id);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as ResourceStore;
    server = createAuthTestServer({ store: counting });
    const records = await loadGeneratedPatients(store, 6);
    own = records[0][0] as Patient;
    ownObservation = records[0].find((r) => r.resourceType === 'Observation') as Observation;
    otherObservation = records[0].filter((r) => r.resourceType === 'Observation')[1] as Observation;
    const clinic = own.managingOrganization?.reference as string;
    other = records.map((r) => r[0] as Patient).find((p) => p.managingOrganization?.reference !== clinic) as Patient;
    clinicianToken = server.token({ account: 'dr', fhirUser: 'PractitionerRole/role-x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.cruds'] });
  });
  after(() => server.close());

  const read = async (path: string): Promise<{ status: number; searches: number }> => {
    const before = restrictedSearches;
    const res = await server.http.get(path).set('Authorization', `Bearer ${clinicianToken}`);
    return { status: res.status, searches: restrictedSearches - before };
  };

  /** The restriction's types the store received with the request's last search. */
  const restrictedTypes = (): { types: string[]; otherTypes?: string } => ({
    types: Object.keys(lastPlan?.restriction?.byType ?? {}).sort(),
    otherTypes: lastPlan?.restriction?.otherTypes,
  });

  it('runs the restriction once for a read, and not again for a vread of the same version', async () => {
    assert.deepEqual(await read(`/Patient/${own.id}`), { status: 200, searches: 1 });
    assert.deepEqual(await read(`/Observation/${ownObservation.id}`), { status: 200, searches: 1 });
    // The verdict is kept across requests while the resource and the population are unchanged
    // (test/auth/population-changes.test.ts shows it dropped when they change).
    const version = ownObservation.meta?.versionId ?? '1';
    assert.deepEqual(await read(`/Observation/${ownObservation.id}/_history/${version}`), { status: 200, searches: 0 });
  });

  it('reads the resource once for a read by id, the check and the read sharing it', async () => {
    const before = currentReads;
    assert.equal((await read(`/Patient/${own.id}`)).status, 200);
    assert.equal(currentReads - before, 1);
  });

  it('sends the store only the restriction of the types a query consults', async () => {
    assert.deepEqual(await read(`/Observation/${otherObservation.id}`), { status: 200, searches: 1 });
    assert.deepEqual(restrictedTypes(), { types: ['Observation'], otherTypes: 'none' });
    assert.equal((await read(`/Observation?subject=Patient/${own.id}`)).status, 200);
    assert.deepEqual(restrictedTypes(), { types: ['Observation'], otherTypes: 'none' });
    // A chain consults its targets' visibility, _has its sources'.
    assert.equal((await read(`/Observation?subject:Patient.name=x&_has:Provenance:target:agent=Practitioner/p`)).status, 200);
    assert.deepEqual(restrictedTypes(), { types: ['Observation', 'Patient', 'Provenance'], otherTypes: 'none' });
    // What _include adds may be of any type: the whole restriction goes.
    assert.equal((await read(`/Observation?subject=Patient/${own.id}&_include=Observation:subject`)).status, 200);
    assert.ok(restrictedTypes().types.length > 10);
  });

  it('still refuses another clinic’s patient with 403, and answers 404 for what does not exist', async () => {
    assert.equal((await read(`/Patient/${other.id}`)).status, 403);
    assert.equal((await read('/Patient/no-such-patient')).status, 404);
  });
});
