// No Task about a home-care order escapes the workflow's rules by leaving out or changing its code: one
// claiming the home-care task profile, or focusing on (or based on) a home-care order, carries the code
// of its step and keeps it (422, home-care-task-code, nothing stored); other Tasks are not concerned.
import type { Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { assessment, homeCareFixture, homeCareRequest, nurseRole, workflowSystem, type HomeCareFixture } from './fixture';

const fulfil = { system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' };

describe('home care: Tasks about an order carry the workflow code', function () {
  this.timeout(120_000);
  let f: HomeCareFixture;

  before(async () => {
    f = await homeCareFixture();
    await f.put(homeCareRequest('sr-kind'));
    await f.put(assessment('sr-kind'));
  });
  after(() => f.server.close());

  /** A Task about the order as a pharmacist would write one, completed with another patient's record. */
  const uncoded = (id: string, extra: Partial<Task> = {}): Task => ({
    resourceType: 'Task',
    id,
    status: 'completed',
    intent: 'order',
    code: { coding: [fulfil] },
    focus: { reference: 'ServiceRequest/sr-kind' },
    for: { reference: 'Patient/hc-pat-1' },
    authoredOn: '2026-12-06T11:00:00+08:00',
    owner: { reference: nurseRole('first') },
    executionPeriod: { start: '2026-12-08T09:40:00+08:00', end: '2026-12-08T10:10:00+08:00' },
    output: [{ type: { text: 'record' }, valueReference: { reference: 'Patient/hc-pat-2' } }],
    ...extra,
  });

  const refused = async (token: string, task: Task): Promise<void> => {
    const res = await f.as(token).put(task);
    assert.equal(res.status, 422, res.text);
    assert.equal(res.body.issue[0].diagnostics, 'write rule: home-care-task-code', res.text);
    assert.equal((await f.server.http.get(`/Task/${task.id}`)).status, 404, 'nothing stored');
  };

  it('refuses a Task claiming the home-care task profile without the workflow code', async () => {
    await refused(f.pharmacistToken, uncoded('kind-profile', { meta: { profile: ['https://fhir.dhc.example/StructureDefinition/dhc-home-care-task'] } }));
  });

  it('refuses a Task whose focus, or basedOn, is a home-care order, without the workflow code', async () => {
    await refused(f.pharmacistToken, uncoded('kind-focus'));
    await refused(f.pharmacistToken, uncoded('kind-based-on', { focus: undefined, basedOn: [{ reference: 'ServiceRequest/sr-kind' }] }));
    // Also in a transaction that writes the order after the Task.
    const bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [uncoded('kind-bundle', { focus: { reference: 'ServiceRequest/sr-kind-later' } }), homeCareRequest('sr-kind-later')].map((resource) => ({
        resource,
        request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` },
      })),
    };
    const res = await f.server.http.post('/').send(bundle);
    assert.equal(res.status, 422, res.text);
    assert.match(JSON.stringify(res.body), /home-care-task-code/);
    assert.equal((await f.server.http.get('/ServiceRequest/sr-kind-later')).status, 404);
  });

  it('refuses a Task with both workflow codes, and a visit whose code is changed or removed', async () => {
    const visitCode = { system: workflowSystem, code: 'home-visit' };
    await refused(f.clinicianToken, { ...uncoded('kind-both'), status: 'requested', code: { coding: [visitCode, { system: workflowSystem, code: 'eligibility-assessment' }] }, executionPeriod: undefined, output: undefined });
    const dispatched = await f.as(f.clinicianToken).post('/ServiceRequest/sr-kind/$dispatch');
    assert.equal(dispatched.status, 200, dispatched.text);
    // The dispatched visit is authored now: its lastModified may not be earlier (Task's invariant inv-1).
    const [visit] = await f.visits('sr-kind');
    const { meta: _meta, ...stored } = visit;
    for (const code of [{ coding: [fulfil] }, { coding: [{ system: workflowSystem, code: 'eligibility-assessment' }] }]) {
      const res = await f.as(f.nurseToken('first')).put({ ...stored, code, status: 'accepted', lastModified: stored.authoredOn });
      assert.equal(res.status, 422, res.text);
      assert.equal(res.body.issue[0].diagnostics, 'write rule: home-care-task-code', JSON.stringify(res.body));
    }
    assert.equal((await f.server.http.get(`/Task/${visit.id}`)).body.status, 'requested');
  });

  it('leaves other Tasks alone: one about another ServiceRequest, or a Condition', async () => {
    await f.put({ ...homeCareRequest('sr-not-home-care'), code: { text: '转诊' } });
    const other = { ...uncoded('kind-other'), status: 'requested', focus: { reference: 'ServiceRequest/sr-not-home-care' }, executionPeriod: undefined, output: undefined } as Task;
    const res = await f.as(f.clinicianToken).put(other);
    assert.equal(res.status, 201, res.text);
  });
});
