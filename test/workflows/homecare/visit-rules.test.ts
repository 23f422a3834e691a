// The flows of home care through the API with the token of each role (a clinician orders, a patient
// orders from the patient app, the family-doctor team assesses, the clinic dispatches, the nurse
// fulfils), and each refusal: 403 for the wrong role or person, 422 with the rule named for a broken
// rule, and nothing stored.
import type { Procedure, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { offsetPosition } from '../../../server/workflows/homecare/geo';
import { assessment, checkIn, home, homeCareFixture, homeCareRequest, nurseRole, visitStep, type HomeCareFixture } from './fixture';

describe('home care: the workflow through the API, and its rules', function () {
  this.timeout(120_000);
  let f: HomeCareFixture;

  before(async () => {
    f = await homeCareFixture();
  });
  after(() => f.server.close());

  const procedure = (id: string, patient: string): Procedure => ({
    resourceType: 'Procedure',
    id,
    status: 'completed',
    code: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-service', code: 'wound-dressing' }] },
    subject: { reference: `Patient/${patient}` },
    performedPeriod: { start: '2026-12-08T09:40:00+08:00', end: '2026-12-08T10:10:00+08:00' },
  });

  /** An order assessed and dispatched (to the nurse 'first'); its open visit. */
  const dispatched = async (id: string): Promise<Task> => {
    await f.put(homeCareRequest(id));
    await f.put(assessment(id));
    const res = await f.as(f.clinicianToken).post(`/ServiceRequest/${id}/$dispatch`);
    assert.equal(res.status, 200, res.text);
    return (await f.visits(id))[0];
  };

  /** The visit's current version, read as the administrator. */
  const current = async (task: Task): Promise<Task> => (await f.server.http.get(`/Task/${task.id}`)).body as Task;

  it('runs a clinician’s order: ordered, assessed by the team, dispatched, accepted, checked in and completed by the nurse, each step in the history', async () => {
    const clinician = f.as(f.clinicianToken);
    assert.equal((await clinician.put(homeCareRequest('sr-flow'))).status, 201);
    const assessed = await clinician.put(assessment('sr-flow'));
    assert.equal(assessed.status, 201, assessed.text);
    const dispatch = await clinician.post('/ServiceRequest/sr-flow/$dispatch');
    assert.equal(dispatch.status, 200, dispatch.text);
    const nurse = f.as(f.nurseToken('first'));
    let visit = (await f.visits('sr-flow'))[0];
    // The nurse sees the visit dispatched to her, and its patient.
    assert.equal((await nurse.get(`/Task/${visit.id}`)).status, 200);
    assert.equal((await nurse.get('/Patient/hc-pat-1')).status, 200);
    const accepted = await nurse.put(visitStep(visit, 'accepted'));
    assert.equal(accepted.status, 200, accepted.text);
    visit = accepted.body;
    const started = await nurse.put(visitStep(visit, 'in-progress', checkIn(offsetPosition(home, 0.05, 1))));
    assert.equal(started.status, 200, started.text);
    visit = started.body;
    assert.equal((await nurse.put(procedure('proc-flow', 'hc-pat-1'))).status, 201);
    const completed = await nurse.put(
      visitStep(visit, 'completed', {
        executionPeriod: { start: visit.executionPeriod?.start, end: visit.lastModified },
        output: [{ type: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-workflow', code: 'visit-record' }] }, valueReference: { reference: 'Procedure/proc-flow' } }],
      })
    );
    assert.equal(completed.status, 200, completed.text);
    // Each step is a version of the Task, timestamped by the server (meta.lastUpdated) and by the step (lastModified).
    const history = await f.server.http.get(`/Task/${visit.id}/_history`);
    const statuses = history.body.entry.map((e: { resource: Task }) => e.resource.status).reverse();
    assert.deepEqual(statuses, ['requested', 'accepted', 'in-progress', 'completed']);
    assert.ok(history.body.entry.every((e: { resource: Task }) => e.resource.lastModified && e.resource.meta?.lastUpdated));
    // A finished visit is not changed any more.
    const reopened = await nurse.put(visitStep(completed.body, 'in-progress'));
    assert.equal(reopened.status, 422);
    assert.match(reopened.body.issue[0].diagnostics, /home-care-visit-transition/);
  });

  it('takes an order from the patient app: the patient may order but neither assess nor dispatch it', async () => {
    const patient = f.as(f.patientToken);
    const ordered = await patient.post('/ServiceRequest', { ...homeCareRequest('ignored', { requester: 'Patient/hc-pat-1' }), id: undefined });
    assert.equal(ordered.status, 201, ordered.text);
    const id = ordered.body.id as string;
    assert.equal((await patient.put(assessment(id))).status, 403);
    assert.equal((await patient.post(`/ServiceRequest/${id}/$dispatch`)).status, 403);
    // Another patient's order is not the patient's to make.
    assert.equal((await patient.post('/ServiceRequest', { ...homeCareRequest('x', { patient: 'hc-pat-2' }), id: undefined })).status, 403);
    assert.equal((await f.as(f.clinicianToken).put(assessment(id))).status, 201);
    assert.equal((await f.as(f.clinicianToken).post(`/ServiceRequest/${id}/$dispatch`)).status, 200);
  });

  it('lets only the patient’s family-doctor team assess (403 for others), and a decided assessment stays (422)', async () => {
    await f.put(homeCareRequest('sr-assess'));
    const outsider = f.token({ account: 'gp2', fhirUser: 'PractitionerRole/hc-gp-other', roles: ['clinician'], organizations: ['Organization/hc-clinic'], scopes: ['user/*.cruds'] });
    const byOutsider = await f.as(outsider).put(assessment('sr-assess'));
    assert.equal(byOutsider.status, 403, byOutsider.text);
    assert.match(byOutsider.body.issue[0].diagnostics, /home-care-assessment-who/);
    for (const token of [f.nurseToken('first'), f.pharmacistToken]) {
      assert.equal((await f.as(token).put(assessment('sr-assess'))).status, 403);
    }
    assert.equal((await f.server.http.get('/Task/sr-assess-assess')).status, 404);
    const undecided = await f.as(f.clinicianToken).put({ ...assessment('sr-assess'), output: undefined });
    assert.equal(undecided.status, 422);
    assert.match(undecided.body.issue[0].diagnostics, /home-care-assessment/);
    assert.equal((await f.as(f.clinicianToken).put(assessment('sr-assess'))).status, 201);
    const changed = await f.as(f.clinicianToken).put(assessment('sr-assess', 'not-eligible'));
    assert.equal(changed.status, 422);
  });

  it('refuses a pharmacist completing a home visit (403), and another nurse moving it (403); nothing stored', async () => {
    const visit = await dispatched('sr-pharmacist');
    const byPharmacist = await f.as(f.pharmacistToken).put(visitStep(visit, 'accepted'));
    assert.equal(byPharmacist.status, 403, byPharmacist.text);
    assert.equal(byPharmacist.body.issue[0].code, 'forbidden');
    assert.match(byPharmacist.body.issue[0].diagnostics, /home-care-visit-who/);
    const byOtherNurse = await f.as(f.nurseToken('second')).put(visitStep(visit, 'accepted'));
    assert.equal(byOtherNurse.status, 403);
    const byAdministrator = await f.server.http.put(`/Task/${visit.id}`).send(visitStep(visit, 'accepted'));
    assert.equal(byAdministrator.status, 403);
    assert.equal((await current(visit)).meta?.versionId, visit.meta?.versionId);
  });

  it('refuses another patient’s visit record as the output (422), an invalid move (422), a far check-in (422); nothing stored', async () => {
    const visit = await dispatched('sr-wrong-patient');
    const nurse = f.as(f.nurseToken('first'));
    const skipped = await nurse.put(visitStep(visit, 'completed'));
    assert.equal(skipped.status, 422);
    assert.match(skipped.body.issue[0].diagnostics, /home-care-visit-transition/);
    const accepted = (await nurse.put(visitStep(visit, 'accepted'))).body as Task;
    const far = await nurse.put(visitStep(accepted, 'in-progress', checkIn(offsetPosition(home, 3, 0))));
    assert.equal(far.status, 422);
    assert.match(far.body.issue[0].details.text, /km from the patient's home/);
    const noPlace = await nurse.put(visitStep(accepted, 'in-progress', { executionPeriod: { start: accepted.lastModified } }));
    assert.equal(noPlace.status, 422);
    const started = (await nurse.put(visitStep(accepted, 'in-progress', checkIn(home)))).body as Task;
    await f.put(procedure('proc-other-patient', 'hc-pat-2'));
    const wrong = await nurse.put(
      visitStep(started, 'completed', {
        executionPeriod: { start: started.executionPeriod?.start, end: started.lastModified },
        output: [{ type: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-workflow', code: 'visit-record' }] }, valueReference: { reference: 'Procedure/proc-other-patient' } }],
      })
    );
    assert.equal(wrong.status, 422, wrong.text);
    assert.equal(wrong.body.issue[0].code, 'business-rule');
    assert.match(wrong.body.issue[0].diagnostics, /home-care-visit-record/);
    assert.match(wrong.body.issue[0].details.text, /Patient\/hc-pat-2/);
    const stored = await current(started);
    assert.equal(stored.status, 'in-progress');
    assert.equal(stored.meta?.versionId, started.meta?.versionId);
  });

  it('creates a visit requested; only recorded history loaded by the administrator may start later, and complete', async () => {
    await f.put(homeCareRequest('sr-history'));
    await f.put(assessment('sr-history'));
    const recorded = (status: Task['status'], extra: Partial<Task> = {}): Task => ({
      resourceType: 'Task', id: `sr-history-${status}`, status, intent: 'order', lastModified: '2026-12-08T10:30:00+08:00',
      code: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-workflow', code: 'home-visit' }] },
      focus: { reference: 'ServiceRequest/sr-history' }, for: { reference: 'Patient/hc-pat-1' }, authoredOn: '2026-12-06T11:00:00+08:00',
      owner: { reference: nurseRole('first') }, ...extra,
    });
    const byClinic = await f.as(f.clinicianToken).put(recorded('accepted'));
    assert.equal(byClinic.status, 422);
    assert.match(byClinic.body.issue[0].diagnostics, /home-care-visit-transition/);
    // The administrator's load is judged by what the state records: a completed visit without its check-in is refused.
    const incomplete = await f.server.http.put('/Task/sr-history-completed').send(recorded('completed', { executionPeriod: { start: '2026-12-08T09:40:00+08:00', end: '2026-12-08T10:20:00+08:00' } }));
    assert.equal(incomplete.status, 422);
    assert.match(incomplete.body.issue[0].diagnostics, /home-care-visit-record/);
    await f.put(procedure('proc-history', 'hc-pat-1'));
    const { executionPeriod: _p, ...started } = checkIn(home);
    const complete = recorded('completed', {
      ...started,
      executionPeriod: { start: '2026-12-08T09:40:00+08:00', end: '2026-12-08T10:20:00+08:00' },
      output: [{ type: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-workflow', code: 'visit-record' }] }, valueReference: { reference: 'Procedure/proc-history' } }],
    });
    const loaded = await f.server.http.put('/Task/sr-history-completed').send(complete);
    assert.equal(loaded.status, 201, loaded.text);
  });

  it('keeps the owner, patient and order of a dispatched visit (422), and lets the clinic cancel it', async () => {
    const visit = await dispatched('sr-reassign');
    const reassigned = await f.as(f.clinicianToken).put({ ...visitStep(visit, 'requested'), owner: { reference: nurseRole('second') } });
    assert.equal(reassigned.status, 422);
    assert.match(reassigned.body.issue[0].diagnostics, /home-care-visit-transition/);
    const byNurse = await f.as(f.nurseToken('first')).put(visitStep(visit, 'cancelled'));
    assert.equal(byNurse.status, 403);
    const cancelled = await f.as(f.clinicianToken).put(visitStep(visit, 'cancelled'));
    assert.equal(cancelled.status, 200, cancelled.text);
  });
});
