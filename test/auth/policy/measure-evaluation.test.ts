// Who may evaluate the management figures: auditors and administrators anything, clinicians their own
// clinic only, other roles nothing.
import assert from 'node:assert/strict';
import { mayEvaluateMeasures } from '../../../server/auth/policy/measure-evaluation';
import { serverCaller, type Caller } from '../../../server/fhir/pipeline/caller';

const caller = (roles: string[], organizations: string[] = []): Caller => ({ kind: 'user', user: 'Practitioner/x', roles, organizations, scopes: ['user/*.rs'] });

describe('mayEvaluateMeasures', () => {
  it('lets auditors, administrators and the server evaluate any scope', () => {
    assert.equal(mayEvaluateMeasures(caller(['auditor']), 'all').allowed, true);
    assert.equal(mayEvaluateMeasures(caller(['administrator']), ['Organization/c1']).allowed, true);
    assert.equal(mayEvaluateMeasures(serverCaller, 'all').allowed, true);
  });

  it('lets a clinician evaluate only the organizations they act for, never the network or a district', () => {
    const clinician = caller(['clinician'], ['Organization/c1']);
    assert.equal(mayEvaluateMeasures(clinician, ['Organization/c1']).allowed, true);
    assert.equal(mayEvaluateMeasures(clinician, ['Organization/c2']).allowed, false);
    assert.equal(mayEvaluateMeasures(clinician, ['Organization/c1', 'Organization/c2']).allowed, false);
    assert.equal(mayEvaluateMeasures(clinician, 'all').allowed, false);
    assert.equal(mayEvaluateMeasures(clinician, []).allowed, false);
  });

  it('refuses roles that see no organization\'s population: pharmacists, nurses, patients', () => {
    for (const role of ['pharmacist', 'nurse', 'patient']) {
      assert.equal(mayEvaluateMeasures(caller([role], ['Organization/c1']), ['Organization/c1']).allowed, false, role);
    }
  });
});
