// The seeded network's accounts against the seeded data: the tertiary-hospital doctor sees the patients
// referred to their hospital (the seed's referral ServiceRequests) and no others; the nurse is the one
// the first patient's home-care orders go to.
import type { Bundle, Encounter, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { seedNetworkAccounts } from '../../server/auth/seed-accounts';
import { networkDirectory } from '../../seed/network/directory';
import { networkResources } from '../../seed/network/resources';
import { isReferral } from '../../seed/patients/referrals';
import { accountNurse } from '../../seed/workflows/account-nurse';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';

const patients = 60;

describe('seeded accounts: the hospital doctor and the referrals', function () {
  this.timeout(120_000);
  let server: AuthTestServer;
  let records: Resource[][];
  let dataDir: string;
  let doctorToken: string;
  let hospital: string;

  before(async () => {
    server = createAuthTestServer();
    for (const resource of networkResources(networkDirectory())) {
      await server.store.update(resource);
    }
    records = await loadGeneratedPatients(server.store, patients);
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'seed-accounts-'));
    await seedNetworkAccounts(server.authStore, server.store, { dataDir, seedValue: 20261123, patients }, pino({ level: 'silent' }));
    const doctor = await server.authStore.getUser('hospital-doctor');
    assert.ok(doctor);
    hospital = doctor.organizations[0];
    doctorToken = server.token({ account: doctor.account, fhirUser: doctor.fhirUser, roles: doctor.roles, organizations: doctor.organizations, scopes: ['user/*.rs'] });
  });
  after(async () => {
    await server.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const get = (url: string): ReturnType<AuthTestServer['http']['get']> => server.http.get(url).set('Authorization', `Bearer ${doctorToken}`);
  /** The patients the generated data refers or brings to the doctor's hospital. */
  const referredPatients = (): string[] => {
    const ids = records
      .flat()
      .filter((r) => (isReferral(r) && r.performer?.some((p) => p.reference === hospital)) || (r.resourceType === 'Encounter' && (r as Encounter).serviceProvider?.reference === hospital))
      .map((r) => ((r as ServiceRequest).subject.reference as string).split('/')[1]);
    return [...new Set(ids)].sort();
  };

  it("puts the nurse account on the nurse the first patient's home-care orders are dispatched to", async () => {
    const nurse = await server.authStore.getUser('nurse');
    assert.equal(nurse?.fhirUser, `PractitionerRole/${accountNurse(networkDirectory(), { seedValue: 20261123, patients })?.nurse.roleId}`);
  });

  it('sees exactly the patients referred to the hospital', async () => {
    const expected = referredPatients();
    assert.ok(expected.length >= 2 && expected.length < patients / 4, `referred patients among ${patients}: ${expected.length}`);
    const res = await get(`/Patient?_count=${patients}&_elements=id`).expect(200);
    const seen = ((res.body as Bundle).entry ?? []).map((e) => e.resource?.id as string).sort();
    assert.deepEqual(seen, expected);
    const count = await get('/Patient?_summary=count').expect(200);
    assert.equal((count.body as Bundle).total, expected.length);
  });

  it("reads a referred patient's record and the referral, and is refused any other patient", async () => {
    const [referred] = referredPatients();
    await get(`/Patient/${referred}`).expect(200);
    const referrals = await get(`/ServiceRequest?subject=Patient/${referred}&performer=${hospital}`).expect(200);
    assert.ok(((referrals.body as Bundle).entry ?? []).length > 0);
    const conditions = await get(`/Condition?subject=Patient/${referred}`).expect(200);
    assert.ok(((conditions.body as Bundle).entry ?? []).length > 0, "the referred patient's conditions are visible");
    const other = records.map((r) => r[0].id as string).find((id) => !referredPatients().includes(id)) as string;
    const refused = await get(`/Patient/${other}`).expect(403);
    assert.equal(refused.body.issue[0].code, 'forbidden');
    const theirs = await get(`/Observation?subject=Patient/${other}`).expect(200);
    assert.equal(((theirs.body as Bundle).entry ?? []).length, 0);
  });
});
