// The policy's first question, for every role of the network: may this caller run this interaction at
// all? A matrix of role × interaction with the expected answer in each cell.
import { strict as assert } from 'node:assert';
import { decide, type PolicyInteraction } from '../../../server/auth/policy/decide';
import type { Caller } from '../../../server/fhir/pipeline/caller';

const user = (roles: string[], fhirUser: string, scopes: string[], extra: Partial<Caller> = {}): Caller => ({
  kind: 'user',
  user: fhirUser,
  account: roles[0] ?? 'nobody',
  clientId: 'app',
  organizations: ['Organization/clinic-1'],
  roles,
  scopes,
  ...extra,
});

const callers: Record<string, Caller> = {
  patient: user(['patient'], 'Patient/p1', ['patient/*.cruds'], { patient: 'Patient/p1', organizations: [] }),
  'patient without launch context': user(['patient'], 'Patient/p1', ['patient/*.cruds'], { organizations: [] }),
  'patient app with one scope': user(['patient'], 'Patient/p1', ['patient/Observation.rs'], { patient: 'Patient/p1', organizations: [] }),
  clinician: user(['clinician'], 'PractitionerRole/r1', ['user/*.cruds']),
  'hospital doctor': user(['hospital-doctor'], 'PractitionerRole/r2', ['user/*.cruds'], { organizations: ['Organization/hospital-1'] }),
  pharmacist: user(['pharmacist'], 'PractitionerRole/r3', ['user/*.cruds'], { organizations: ['Organization/org-cloud-pharmacy'] }),
  nurse: user(['nurse'], 'PractitionerRole/r4', ['user/*.cruds']),
  auditor: user(['auditor'], 'Practitioner/a1', ['user/*.cruds'], { organizations: [] }),
  administrator: user(['administrator'], 'Practitioner/x1', ['user/*.cruds'], { organizations: [] }),
  'clinician with v1 read scopes': user(['clinician'], 'PractitionerRole/r1', ['user/*.read']),
  'user without a role': user([], 'Practitioner/n1', ['user/*.cruds']),
  'user holding system scopes': user(['administrator'], 'Practitioner/x1', ['system/*.cruds']),
  'HIS vendor (backend)': { kind: 'client', clientId: 'his-vendor-a', organizations: ['Organization/clinic-1'], roles: [], scopes: ['system/*.cruds'] },
  'audit tool (backend, auditor)': { kind: 'client', clientId: 'audit', organizations: [], roles: ['auditor'], scopes: ['system/*.rs'] },
};

const interactions: Record<string, PolicyInteraction> = {
  'read Patient': { code: 'read', resourceType: 'Patient' },
  'search Observation': { code: 'search-type', resourceType: 'Observation' },
  'create Observation': { code: 'create', resourceType: 'Observation' },
  'update MedicationRequest': { code: 'update', resourceType: 'MedicationRequest' },
  'patch Task': { code: 'patch', resourceType: 'Task' },
  'delete Condition': { code: 'delete', resourceType: 'Condition' },
  'history of a Patient': { code: 'history-instance', resourceType: 'Patient' },
  'history of Observation': { code: 'history-type', resourceType: 'Observation' },
  'Patient $everything': { code: 'operation', resourceType: 'Patient', operation: 'everything' },
  'ValueSet $expand': { code: 'operation', resourceType: 'ValueSet', operation: 'expand' },
  'create StructureDefinition': { code: 'create', resourceType: 'StructureDefinition' },
  'update Organization': { code: 'update', resourceType: 'Organization' },
  'read Organization': { code: 'read', resourceType: 'Organization' },
  'system search': { code: 'search-system' },
  'read Procedure': { code: 'read', resourceType: 'Procedure' },
  metadata: { code: 'capabilities' },
};

// A allowed, D denied; one letter per interaction above, in order.
const expected: Record<string, string> = {
  //                                  rP sO cO uM pT dC hP hO eP vE cS uO rO ss rPr md
  patient:                           'A  A  A  D  D  D  A  A  A  A  D  D  A  A  A  A',
  'patient without launch context':  'D  D  D  D  D  D  D  D  D  A  D  D  D  D  D  A',
  'patient app with one scope':      'D  A  D  D  D  D  D  A  D  A  D  D  D  D  D  A',
  clinician:                         'A  A  A  A  A  A  A  A  A  A  D  D  A  A  A  A',
  'hospital doctor':                 'A  A  A  A  A  A  A  A  A  A  D  D  A  A  A  A',
  pharmacist:                        'A  A  D  A  A  D  A  A  A  A  D  D  A  A  D  A',
  nurse:                             'A  A  A  D  A  D  A  A  A  A  D  D  A  A  A  A',
  auditor:                           'A  A  D  D  D  D  A  A  A  A  D  D  A  A  A  A',
  administrator:                     'A  A  A  A  A  A  A  A  A  A  A  A  A  A  A  A',
  'clinician with v1 read scopes':   'A  A  D  D  D  D  A  A  A  A  D  D  A  A  A  A',
  'user without a role':             'D  D  D  D  D  D  D  D  D  A  D  D  D  D  D  A',
  'user holding system scopes':      'D  D  D  D  D  D  D  D  D  A  D  D  D  D  D  A',
  'HIS vendor (backend)':            'A  A  A  A  A  A  A  A  A  A  D  A  A  A  A  A',
  'audit tool (backend, auditor)':   'A  A  D  D  D  D  A  A  A  A  D  D  A  A  A  A',
};

describe('policy: role × interaction', () => {
  const names = Object.keys(interactions);
  for (const [role, row] of Object.entries(expected)) {
    it(`${role}`, () => {
      const cells = row.split(/\s+/);
      assert.equal(cells.length, names.length, 'one cell per interaction');
      const wrong: string[] = [];
      names.forEach((name, i) => {
        const decision = decide(callers[role], interactions[name]);
        const got = decision.allowed ? 'A' : 'D';
        if (got !== cells[i]) {
          wrong.push(`${name}: expected ${cells[i]}, got ${got}${decision.allowed ? '' : ` (${decision.reason})`}`);
        }
      });
      assert.deepEqual(wrong, []);
    });
  }

  it('denies an anonymous caller everything but the CapabilityStatement', () => {
    const anonymous: Caller = { kind: 'anonymous', organizations: [], roles: [], scopes: [] };
    assert.equal(decide(anonymous, { code: 'read', resourceType: 'Patient' }).allowed, false);
    assert.equal(decide(anonymous, { code: 'capabilities' }).allowed, true);
  });

  it("lets the server's own work through", () => {
    assert.equal(decide({ kind: 'server', organizations: [], roles: [], scopes: [] }, { code: 'delete', resourceType: 'StructureDefinition' }).allowed, true);
  });
});
