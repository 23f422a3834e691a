// Who may record the cloud pharmacy's decisions and dispenses. With security off (FHIR_AUTH=off) every
// caller is anonymous: no role can be checked, so the who-rules step aside as home care's do, and the
// generated history loads (the benchmark's security-off run); the workflow's other rules still hold.
import { strict as assert } from 'node:assert';
import { anonymousCaller, serverCaller, type Caller } from '../../../server/fhir/pipeline/caller';
import { actsForPharmacy } from '../../../server/workflows/pharmacy/review-task-rule';

const pharmacy = 'Organization/cloud-pharmacy';
const user = (roles: string[], organizations: string[]): Caller => ({ kind: 'user', roles, organizations, scopes: [] });

describe('cloud pharmacy: who acts for the pharmacy', () => {
  it('a pharmacist of the cloud pharmacy, the administrator, the server itself, and anyone with security off', () => {
    assert.equal(actsForPharmacy(user(['pharmacist'], [pharmacy]), pharmacy), true);
    assert.equal(actsForPharmacy(user(['administrator'], []), pharmacy), true);
    assert.equal(actsForPharmacy(serverCaller, pharmacy), true);
    assert.equal(actsForPharmacy(anonymousCaller(), pharmacy), true);
  });

  it('not a clinician, nor a pharmacist of another organization', () => {
    assert.equal(actsForPharmacy(user(['clinician'], ['Organization/clinic-1']), pharmacy), false);
    assert.equal(actsForPharmacy(user(['pharmacist'], ['Organization/other-pharmacy']), pharmacy), false);
  });
});
