// The policy's second question: which resources a caller sees. Each restriction is run as plain filters
// against a store holding generated patients of the network, and the answer checked against the data.
import type { Encounter, Observation, Patient, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { restrictionFor } from '../../../server/auth/policy/restriction';
import { visibilityFilters } from '../../../server/auth/policy/visibility';
import type { Caller } from '../../../server/fhir/pipeline/caller';
import type { EmbeddedStore } from '../../../server/store/adapters';
import { patientRecord } from '../../../seed/patients/patient-record';
import { memoryStore } from '../../helpers/test-server';

const seed = 20261123;
const patients = 12;

describe('policy: what each caller sees', function () {
  this.timeout(60_000);
  let store: EmbeddedStore;
  const records: Resource[][] = [];

  before(async () => {
    store = memoryStore();
    for (let i = 0; i < patients; i++) {
      const record = patientRecord(i, seed);
      records.push(record);
      for (const resource of record) {
        await store.update(resource);
      }
    }
    // A referral of pat-1 and an encounter of pat-2 at a hospital, for the hospital doctor.
    await store.update<ServiceRequest>({ resourceType: 'ServiceRequest', id: 'ref-1', status: 'active', intent: 'order', subject: { reference: 'Patient/pat-1' }, performer: [{ reference: 'Organization/hosp-test' }] });
    await store.update<Encounter>({ resourceType: 'Encounter', id: 'enc-h-2', status: 'finished', class: { code: 'AMB' }, subject: { reference: 'Patient/pat-2' }, serviceProvider: { reference: 'Organization/hosp-test' } });
  });
  after(() => store.close());

  const all = (type: string): Resource[] => records.flat().filter((r) => r.resourceType === type);
  const patientOf = (r: Resource): string | undefined =>
    ((r as Observation).subject ?? (r as { patient?: { reference?: string } }).patient ?? (r as Task).for)?.reference;
  async function visible(caller: Caller, type: string): Promise<string[]> {
    const filters = visibilityFilters(caller, type) ?? [];
    const page = await store.search({ resourceType: type, filters, sort: [], count: 5000, total: 'none', include: [], revInclude: [] });
    return page.resources.map((r) => r.id).sort();
  }
  const ids = (resources: Resource[]): string[] => resources.map((r) => r.id as string).sort();

  it('a patient sees their own compartment and nothing of other patients', async () => {
    const caller: Caller = { kind: 'user', user: 'Patient/pat-0', roles: ['patient'], organizations: [], scopes: ['patient/*.rs'], patient: 'Patient/pat-0' };
    assert.deepEqual(await visible(caller, 'Patient'), ['pat-0']);
    const observations = all('Observation').filter((o) => patientOf(o) === 'Patient/pat-0');
    assert.ok(observations.length > 0);
    assert.deepEqual(await visible(caller, 'Observation'), ids(observations));
    assert.deepEqual(await visible(caller, 'Task'), ids(all('Task').filter((t) => patientOf(t) === 'Patient/pat-0')));
  });

  it("a patient token's granular scope narrows to the category", async () => {
    const caller: Caller = {
      kind: 'user', user: 'Patient/pat-0', roles: ['patient'], organizations: [], patient: 'Patient/pat-0',
      scopes: ['patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|laboratory'],
    };
    const labs = all('Observation').filter((o) => patientOf(o) === 'Patient/pat-0' && (o as Observation).category?.some((c) => c.coding?.some((x) => x.code === 'laboratory')));
    assert.deepEqual(await visible(caller, 'Observation'), ids(labs));
    assert.deepEqual(await visible(caller, 'Condition'), [], 'a type without a scope is not visible');
    assert.equal(restrictionFor(caller)?.otherTypes, 'none');
  });

  it("a clinic's clinician sees the clinic's patients and their records only", async () => {
    const clinic = (all('Patient')[0] as Patient).managingOrganization?.reference as string;
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.cruds'] };
    const mine = all('Patient').filter((p) => (p as Patient).managingOrganization?.reference === clinic);
    assert.ok(mine.length > 0 && mine.length < patients, 'some patients are the clinic\'s, some are not');
    assert.deepEqual(await visible(caller, 'Patient'), ids(mine));
    const theirs = new Set(mine.map((p) => `Patient/${p.id}`));
    assert.deepEqual(await visible(caller, 'Observation'), ids(all('Observation').filter((o) => theirs.has(patientOf(o) ?? ''))));
    assert.deepEqual(await visible(caller, 'Organization'), [], 'no Organization is stored, but the type is open');
    assert.equal(restrictionFor(caller)?.byType.Organization, undefined);
    assert.equal(restrictionFor(caller)?.otherTypes, 'all');
  });

  it('break-the-glass adds one patient outside the grant', async () => {
    const clinic = (all('Patient')[0] as Patient).managingOrganization?.reference as string;
    const other = all('Patient').find((p) => (p as Patient).managingOrganization?.reference !== clinic) as Patient;
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/x', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.rs'] };
    assert.ok(!(await visible(caller, 'Patient')).includes(other.id as string));
    assert.ok((await visible({ ...caller, breakGlass: { patient: `Patient/${other.id}`, reason: 'emergency at the clinic' } }, 'Patient')).includes(other.id as string));
  });

  it("a hospital's doctor sees the patients referred to or seen at the hospital", async () => {
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/h', roles: ['hospital-doctor'], organizations: ['Organization/hosp-test'], scopes: ['user/*.rs'] };
    assert.deepEqual(await visible(caller, 'Patient'), ['pat-1', 'pat-2']);
    const conditions = all('Condition').filter((c) => ['Patient/pat-1', 'Patient/pat-2'].includes(patientOf(c) ?? ''));
    assert.deepEqual(await visible(caller, 'Condition'), ids(conditions));
  });

  it('a home-care nurse sees the orders dispatched to them and those patients', async () => {
    const task = all('Task').find((t) => (t as Task).owner) as Task;
    const nurse = task.owner?.reference as string;
    const caller: Caller = { kind: 'user', user: nurse, roles: ['nurse'], organizations: [], scopes: ['user/*.rs'] };
    const tasks = all('Task').filter((t) => (t as Task).owner?.reference === nurse);
    assert.deepEqual(await visible(caller, 'Task'), ids(tasks));
    const theirPatients = [...new Set(tasks.map((t) => patientOf(t)?.split('/')[1] as string))].sort();
    assert.deepEqual(await visible(caller, 'Patient'), theirPatients);
  });

  it('the pharmacist sees every prescription but no procedure', async () => {
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/p', roles: ['pharmacist'], organizations: ['Organization/org-cloud-pharmacy'], scopes: ['user/*.rs'] };
    assert.deepEqual(await visible(caller, 'MedicationRequest'), ids(all('MedicationRequest')));
    assert.deepEqual(await visible(caller, 'Procedure'), []);
  });

  it('the auditor sees everything', async () => {
    const caller: Caller = { kind: 'user', user: 'Practitioner/a', roles: ['auditor'], organizations: [], scopes: ['user/*.rs'] };
    assert.deepEqual(await visible(caller, 'Observation'), ids(all('Observation')));
    assert.equal(restrictionFor(caller), undefined, 'nothing is withheld, so there is no restriction');
  });

  it("an HIS vendor's backend sees the patients of the clinics it serves", async () => {
    const clinics = [...new Set(all('Patient').slice(0, 3).map((p) => (p as Patient).managingOrganization?.reference as string))];
    const caller: Caller = { kind: 'client', clientId: 'his', roles: [], organizations: clinics, scopes: ['system/*.rs'] };
    assert.deepEqual(await visible(caller, 'Patient'), ids(all('Patient').filter((p) => clinics.includes((p as Patient).managingOrganization?.reference as string))));
  });

  it('callers alike share one restriction; callers that differ in anything it depends on never do', () => {
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/x', account: 'a', roles: ['clinician'], organizations: ['Organization/c1'], scopes: ['user/*.rs'] };
    const built = restrictionFor(caller);
    assert.equal(restrictionFor({ ...caller, sourceAddress: '10.0.0.9', account: 'b' }), built, 'built once for every request of the same grant');
    const variants: Caller[] = [
      { ...caller, organizations: ['Organization/c2'] },
      { ...caller, roles: ['pharmacist'] },
      { ...caller, scopes: ['user/Observation.rs'] },
      { ...caller, user: 'PractitionerRole/y', roles: ['nurse'] },
      { ...caller, breakGlass: { patient: 'Patient/pat-3', reason: 'emergency' } },
    ];
    for (const variant of variants) {
      assert.notEqual(restrictionFor(variant), built);
      assert.notDeepEqual(restrictionFor(variant), built);
    }
  });

  it('a caller without a population sees no patient data', async () => {
    const caller: Caller = { kind: 'user', user: 'Practitioner/n', roles: [], organizations: [], scopes: ['user/*.rs'] };
    assert.deepEqual(await visible(caller, 'Patient'), []);
    assert.equal(restrictionFor({ kind: 'server', organizations: [], roles: [], scopes: [] }), undefined);
  });
});
