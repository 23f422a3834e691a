// Visibility verdicts kept across requests (server/fhir/pipeline/verdict-cache.ts): reused while the
// resource's version and the change marker of the types the restriction reaches stay the same.
import { strict as assert } from 'node:assert';
import { restrictionFor } from '../../../server/auth/policy/restriction';
import { narrowedTo } from '../../../server/fhir/pipeline/narrowed-restriction';
import { dependedOnTypes, VisibilityVerdicts } from '../../../server/fhir/pipeline/verdict-cache';
import type { ResultRestriction } from '../../../server/search/plan';

const clinician = restrictionFor({
  kind: 'user',
  scopes: ['user/*.cruds'],
  roles: ['clinician'],
  organizations: ['Organization/clinic-1'],
  user: 'PractitionerRole/r1',
}) as ResultRestriction;

describe('kept visibility verdicts', () => {
  it('depend on the types a clinician’s population reaches, not on the resource’s own type', () => {
    assert.deepEqual(dependedOnTypes(narrowedTo(clinician, new Set(['Observation']))), ['Encounter', 'Patient', 'ServiceRequest']);
    assert.deepEqual(dependedOnTypes(narrowedTo(clinician, new Set(['Patient']))), ['Encounter', 'ServiceRequest']);
  });

  it('judge again when the marker of those types or the resource’s version changes, and keep restrictions apart', async () => {
    let marker = '1';
    const asked: string[][] = [];
    const verdicts = new VisibilityVerdicts(async (types) => {
      asked.push([...types]);
      return marker;
    });
    const observations = narrowedTo(clinician, new Set(['Observation']));
    let judged = 0;
    const judge = (answer: boolean) => async (): Promise<boolean> => {
      judged++;
      return answer;
    };
    assert.equal(await verdicts.visible(observations, 'Observation', 'o1', '1', judge(true)), true);
    assert.equal(await verdicts.visible(observations, 'Observation', 'o1', '1', judge(false)), true);
    assert.equal(judged, 1);
    assert.deepEqual(asked[0], ['Encounter', 'Patient', 'ServiceRequest']);
    marker = '2';
    assert.equal(await verdicts.visible(observations, 'Observation', 'o1', '1', judge(false)), false);
    assert.equal(await verdicts.visible(observations, 'Observation', 'o1', '2', judge(true)), true);
    assert.equal(judged, 3);
    // Another caller's restriction never reuses this one's verdict.
    const other = narrowedTo(restrictionFor({ kind: 'user', scopes: ['user/*.cruds'], roles: ['clinician'], organizations: ['Organization/clinic-2'] }) as ResultRestriction, new Set(['Observation']));
    assert.equal(await verdicts.visible(other, 'Observation', 'o1', '2', judge(false)), false);
    assert.equal(judged, 4);
  });
});
