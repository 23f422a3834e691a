// Role × interaction over HTTP: a token of each role of the network against one patient's record
// (read, search, create, update, delete, history, $everything, a conformance write), with the status
// expected in each cell. policy/decide.test.ts asks the same of the policy alone; this one runs the
// whole pipeline: the hook, the result restriction and the write rule.
import type { Condition, MedicationRequest, Observation, Patient, Resource, ServiceRequest, StructureDefinition, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { Grant } from '../../server/auth/access-tokens';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';

/** The interactions of a row, in order; each gets a fresh target where it writes. */
const interactions = ['read Patient', 'search Observation', 'create Observation', 'update MedicationRequest', 'delete Condition', 'history Patient', 'Patient $everything', 'create StructureDefinition'] as const;

// The expected status of each interaction above, in order, for a token of each role on pat-0's record.
const expected: Record<string, string> = {
  //                            rP   sO   cO   uMR  dC   hP   eP   cSD
  patient:                     '200  200  201  403  403  200  200  403',
  clinician:                   '200  200  201  200  204  200  200  403',
  'other clinic’s clinician':  '403  200  403  403  403  403  403  403',
  'hospital doctor (referral)': '200  200  201  200  204  200  200  403',
  pharmacist:                  '200  200  403  200  403  200  200  403',
  'nurse (dispatched order)':  '200  200  201  403  403  200  200  403',
  auditor:                     '200  200  403  403  403  200  200  403',
  administrator:               '200  200  201  200  204  200  200  201',
  'HIS vendor (backend)':      '200  200  201  200  204  200  200  403',
};

describe('role × interaction over HTTP', function () {
  this.timeout(120_000);
  let server: AuthTestServer;
  let records: Resource[][];
  const grants: Record<string, Partial<Grant>> = {};

  before(async () => {
    server = createAuthTestServer();
    records = await loadGeneratedPatients(server.store, 6);
    const patient = records[0][0] as Patient;
    const clinic = patient.managingOrganization?.reference as string;
    const otherClinic = records.map((r) => (r[0] as Patient).managingOrganization?.reference as string).find((c) => c !== clinic) as string;
    const referral = records[0].find((r): r is ServiceRequest => r.resourceType === 'ServiceRequest' && !!r.performer?.[0]?.reference?.startsWith('Organization/org-hospital-'));
    assert.ok(referral, 'pat-0 is referred to a hospital in the seed');
    const hospital = referral.performer![0].reference as string;
    // A home-care order of pat-0 dispatched to the nurse.
    const order: Task = { resourceType: 'Task', id: 'matrix-home-care', status: 'accepted', intent: 'order', for: { reference: 'Patient/pat-0' }, owner: { reference: 'PractitionerRole/matrix-nurse' } };
    await server.store.update(order);
    await server.store.update(prescription());
    const staff = (roles: string[], fhirUser: string, organizations: string[]): Partial<Grant> => ({ account: roles[0], fhirUser, roles, organizations, scopes: ['user/*.cruds'] });
    Object.assign(grants, {
      patient: { account: 'pat-0', fhirUser: 'Patient/pat-0', roles: ['patient'], organizations: [], scopes: ['patient/*.cruds'], patient: 'pat-0' },
      clinician: staff(['clinician'], 'PractitionerRole/matrix-gp', [clinic]),
      'other clinic’s clinician': staff(['clinician'], 'PractitionerRole/matrix-gp-2', [otherClinic]),
      'hospital doctor (referral)': staff(['hospital-doctor'], 'PractitionerRole/matrix-specialist', [hospital]),
      pharmacist: staff(['pharmacist'], 'PractitionerRole/matrix-pharmacist', ['Organization/org-cloud-pharmacy']),
      'nurse (dispatched order)': staff(['nurse'], 'PractitionerRole/matrix-nurse', [clinic]),
      auditor: staff(['auditor'], 'Practitioner/matrix-auditor', []),
      administrator: staff(['administrator'], 'Practitioner/matrix-admin', []),
      'HIS vendor (backend)': { kind: 'client', clientId: 'his-vendor-a', account: undefined, fhirUser: undefined, roles: [], organizations: [clinic], scopes: ['system/*.cruds'] },
    });
  });
  after(() => server.close());

  const prescription = (): MedicationRequest => ({
    resourceType: 'MedicationRequest', id: 'matrix-prescription', status: 'active', intent: 'order', subject: { reference: 'Patient/pat-0' }, medicationCodeableConcept: { text: '氨氯地平片 5 mg' },
  });
  const condition = (id: string): Condition => ({ resourceType: 'Condition', id, subject: { reference: 'Patient/pat-0' }, code: { text: '头晕' } });
  const observation = (): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '29463-7', display: 'Body weight' }] },
    subject: { reference: 'Patient/pat-0' },
    effectiveDateTime: '2025-06-01T09:00:00+08:00',
    valueQuantity: { value: 70, unit: 'kg', system: 'http://unitsofmeasure.org', code: 'kg' },
  });
  const profile = (id: string): StructureDefinition => ({
    resourceType: 'StructureDefinition', id, url: `https://fhir.dhc.example/StructureDefinition/${id}`, name: 'MatrixProfile', status: 'draft', kind: 'resource', abstract: false,
    type: 'Observation', baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Observation', derivation: 'constraint', differential: { element: [{ id: 'Observation', path: 'Observation' }] },
  });

  async function status(role: string, interaction: (typeof interactions)[number], n: number): Promise<number> {
    const token = server.token(grants[role]);
    const as = <T extends { set(name: string, value: string): T }>(request: T): T => request.set('Authorization', `Bearer ${token}`);
    switch (interaction) {
      case 'read Patient':
        return (await as(server.http.get('/Patient/pat-0'))).status;
      case 'search Observation':
        return (await as(server.http.get('/Observation?subject=Patient/pat-0&_count=1'))).status;
      case 'create Observation':
        return (await as(server.http.post('/Observation')).send(observation())).status;
      case 'update MedicationRequest':
        return (await as(server.http.put(`/MedicationRequest/${prescription().id}`)).send(prescription())).status;
      case 'delete Condition': {
        const id = `matrix-condition-${n}`;
        await server.store.update(condition(id));
        return (await as(server.http.delete(`/Condition/${id}`))).status;
      }
      case 'history Patient':
        return (await as(server.http.get('/Patient/pat-0/_history'))).status;
      case 'Patient $everything':
        return (await as(server.http.get('/Patient/pat-0/$everything'))).status;
      case 'create StructureDefinition':
        return (await as(server.http.put(`/StructureDefinition/matrix-${n}`)).send(profile(`matrix-${n}`))).status;
    }
  }

  let row = 0;
  for (const [role, cells] of Object.entries(expected)) {
    it(role, async () => {
      const want = cells.split(/\s+/).map(Number);
      assert.equal(want.length, interactions.length, 'one cell per interaction');
      const wrong: string[] = [];
      for (const [i, interaction] of interactions.entries()) {
        const got = await status(role, interaction, row * 100 + i);
        if (got !== want[i]) {
          wrong.push(`${interaction}: expected ${want[i]}, got ${got}`);
        }
      }
      row++;
      assert.deepEqual(wrong, []);
    });
  }
});
