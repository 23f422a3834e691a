// A clinic's clinician sees the clinic's patients: managed there, with an encounter there, or referred
// there. Verdicts of visibility are kept across requests (server/fhir/pipeline/verdict-cache.ts), so a
// write that moves a patient into or out of the population must be seen by the very next request,
// whether this server made it or another process sharing the store did (here a second connection to the
// same file, which shares nothing in memory with the server), with the reads on the read threads.
import type { Encounter, Observation, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { SearchPlan } from '../../server/search/plan';
import type { ResourceStore } from '../../server/store/port';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';
import { fileStore } from '../helpers/test-server';

describe('a clinic’s population changing under kept verdicts', function () {
  this.timeout(60_000);
  let dir: string;
  let server: AuthTestServer;
  let otherProcess: ResourceStore;
  let clinic: string;
  let outsider: Patient;
  let outsiderObservation: Observation;
  let clinicianToken: string;
  let adminToken: string;
  let searches = 0;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-population-'));
    const file = path.join(dir, 'shared.sqlite');
    const store = fileStore(file);
    // Every search a read by id makes is its visibility check.
    const counting = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'search') {
          return (plan: SearchPlan) => {
            searches++;
            return target.search(plan);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    }) as ResourceStore;
    server = createAuthTestServer({ store: counting });
    otherProcess = fileStore(file);
    const records = await loadGeneratedPatients(store, 6);
    const own = records[0][0] as Patient;
    clinic = own.managingOrganization?.reference as string;
    const outsiderRecord = records.find((r) => (r[0] as Patient).managingOrganization?.reference !== clinic) as (typeof records)[number];
    outsider = outsiderRecord[0] as Patient;
    outsiderObservation = outsiderRecord.find((r) => r.resourceType === 'Observation') as Observation;
    // The outsider must have no encounter or referral at the clinic already.
    for (const resource of outsiderRecord) {
      if (resource.resourceType === 'Encounter' || resource.resourceType === 'ServiceRequest') {
        assert.ok(!JSON.stringify(resource).includes(`"${clinic}"`), `${resource.resourceType}/${resource.id} already ties the outsider to the clinic`);
      }
    }
    clinicianToken = server.token({ account: 'dr', fhirUser: 'PractitionerRole/role-x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.cruds'] });
    adminToken = server.token();
  });
  after(async () => {
    await otherProcess.close();
    await server.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const statusOf = async (resourcePath: string): Promise<number> => (await server.http.get(resourcePath).set('Authorization', `Bearer ${clinicianToken}`)).status;
  const outsiderStatus = async (): Promise<[number, number]> => [await statusOf(`/Patient/${outsider.id}`), await statusOf(`/Observation/${outsiderObservation.id}`)];

  const encounterAtClinic = (): Encounter => ({
    resourceType: 'Encounter',
    id: 'moved-in-encounter',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: `Patient/${outsider.id}` },
    serviceProvider: { reference: clinic },
  });

  it('keeps a verdict across requests while nothing it depends on changes', async () => {
    assert.deepEqual(await outsiderStatus(), [403, 403]);
    const before = searches;
    assert.deepEqual(await outsiderStatus(), [403, 403]);
    assert.equal(searches - before, 0, 'the second reads asked the store again');
  });

  it('sees an encounter at the clinic written by another process, and its deletion', async () => {
    await otherProcess.update(encounterAtClinic());
    assert.deepEqual(await outsiderStatus(), [200, 200]);
    await otherProcess.delete('Encounter', 'moved-in-encounter');
    assert.deepEqual(await outsiderStatus(), [403, 403]);
  });

  it('sees a referral to the clinic written by another process', async () => {
    const referral: ServiceRequest = {
      resourceType: 'ServiceRequest',
      id: 'moved-in-referral',
      status: 'active',
      intent: 'order',
      subject: { reference: `Patient/${outsider.id}` },
      performer: [{ reference: clinic }],
    };
    await otherProcess.update(referral);
    assert.deepEqual(await outsiderStatus(), [200, 200]);
    await otherProcess.update({ ...referral, performer: [{ reference: 'Organization/elsewhere' }] });
    assert.deepEqual(await outsiderStatus(), [403, 403]);
  });

  it('sees a change of managingOrganization and an encounter written through this server', async () => {
    const moved = await server.http
      .put(`/Patient/${outsider.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .set('Content-Type', 'application/fhir+json')
      .send({ ...outsider, meta: undefined, managingOrganization: { reference: clinic } });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual(await outsiderStatus(), [200, 200]);
    const back = await server.http
      .put(`/Patient/${outsider.id}`)
      .set('Authorization', `Bearer ${adminToken}`)
      .set('Content-Type', 'application/fhir+json')
      .send({ ...outsider, meta: undefined });
    assert.equal(back.status, 200, JSON.stringify(back.body));
    assert.deepEqual(await outsiderStatus(), [403, 403]);
    // An encounter elsewhere than the clinic is written here, then moved to the clinic.
    await server.store.update({ ...encounterAtClinic(), id: 'here-encounter', serviceProvider: { reference: 'Organization/elsewhere' } });
    assert.deepEqual(await outsiderStatus(), [403, 403]);
    await server.store.update({ ...encounterAtClinic(), id: 'here-encounter' });
    assert.deepEqual(await outsiderStatus(), [200, 200]);
  });
});
