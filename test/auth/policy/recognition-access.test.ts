// Who may run $recognize, for which organization, and who may record a reuse
// (server/auth/policy/recognition-access.ts).
import { strict as assert } from 'node:assert';
import { anonymousCaller, serverCaller, type Caller } from '../../../server/fhir/pipeline/caller';
import { decideRecognition } from '../../../server/auth/policy/recognition-access';

const user = (roles: string[], organizations: string[]): Caller => ({ kind: 'user', user: 'Practitioner/p', roles, organizations, scopes: ['user/*.cruds'] });
const hospital = 'Organization/h';
const clinic = 'Organization/c';

describe('decideRecognition', () => {
  it('lets clinicians and hospital doctors ask and record for their own organizations only', () => {
    for (const role of ['clinician', 'hospital-doctor']) {
      assert.deepEqual(decideRecognition(user([role], [hospital]), hospital, true), { allowed: true });
      const elsewhere = decideRecognition(user([role], [clinic]), hospital, false);
      assert.equal(elsewhere.allowed, false);
    }
  });

  it('lets auditors ask for any organization but not record; administrators do both', () => {
    assert.equal(decideRecognition(user(['auditor'], []), hospital, false).allowed, true);
    const record = decideRecognition(user(['auditor'], []), hospital, true);
    assert.equal(record.allowed, false);
    assert.match(record.allowed ? '' : record.reason, /only a clinician, a hospital doctor or an administrator/);
    assert.equal(decideRecognition(user(['administrator'], []), hospital, true).allowed, true);
  });

  it('refuses the other roles and backend clients', () => {
    for (const role of ['pharmacist', 'nurse', 'patient', 'his-vendor']) {
      assert.equal(decideRecognition(user([role], [hospital]), hospital, false).allowed, false, role);
    }
    assert.equal(decideRecognition({ kind: 'client', clientId: 'his', roles: [], organizations: [hospital], scopes: ['system/*.rs'] }, hospital, false).allowed, false);
  });

  it('checks nothing for the server itself, and while security is off (anonymous)', () => {
    assert.equal(decideRecognition(serverCaller, hospital, true).allowed, true);
    assert.equal(decideRecognition(anonymousCaller(), hospital, true).allowed, true);
  });
});
