// The pharmacist's review through the API with each role's token: a prescription enters review with a
// Task for a pharmacist of the cloud pharmacy; approval makes it active, rejection cancels it, a return
// holds it; nobody sets the outcome by editing the request; a change voids an approval.
import type { MedicationRequest, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { client, decided, ruleOf, findingsOf, prescribe, read, reviewStatus, reviewTaskOf, search } from './pharmacy-client';
import { dhc, pharmacyServer, prescription, type PharmacyServer } from './pharmacy-fixtures';

describe('cloud pharmacy: the pharmacist review', function () {
  this.timeout(120_000);
  let server: PharmacyServer;
  before(async () => {
    server = await pharmacyServer();
  });
  after(async () => server.close());

  it('puts a new prescription into review: a Task for a pharmacist of the cloud pharmacy, pre-screened', async () => {
    const { request, task } = await prescribe(server, prescription());
    assert.equal(request.status, 'draft');
    assert.equal(reviewStatus(request), 'software-prescreened');
    assert.equal(task.status, 'requested');
    assert.equal(task.code?.coding?.[0]?.code, 'prescription-review');
    assert.equal(task.focus?.reference, `MedicationRequest/${request.id}`);
    assert.match(task.owner?.reference ?? '', /^PractitionerRole\/rx-ph-role-[12]$/);
    assert.equal(task.for?.reference, 'Patient/rx-pat');
  });

  it('a request that does not claim the profile is reviewed all the same', async () => {
    const { request } = await prescribe(server, prescription({ meta: undefined }));
    assert.equal(request.meta?.profile, undefined);
    assert.equal(reviewStatus(request), 'software-prescreened');
  });

  it('approval by the pharmacist makes the request active, names the reviewer, and the clinic sees it', async () => {
    const { request, task } = await prescribe(server, prescription());
    const res = await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'approved'));
    assert.equal(res.status, 200, res.text);
    const approved = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(approved.status, 'active');
    assert.equal(reviewStatus(approved), 'approved');
    const review = approved.extension?.find((e) => e.url === `${dhc}/StructureDefinition/prescription-review`);
    assert.equal(review?.extension?.find((e) => e.url === 'reviewer')?.valueReference?.reference, 'PractitionerRole/rx-ph-role-1');
    assert.ok(review?.extension?.find((e) => e.url === 'reviewedOn')?.valueDateTime);
    const clinicQueue = await search<MedicationRequest>(server, 'MedicationRequest?review-status=approved&requester:PractitionerRole.organization=Organization/rx-clinic', 'clinician');
    assert.ok(clinicQueue.some((r) => r.id === request.id));
  });

  it('rejection needs a reason; it cancels the request and the Task tells the prescriber why', async () => {
    const { request, task } = await prescribe(server, prescription());
    const noReason = await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'rejected'));
    assert.equal(noReason.status, 422);
    assert.equal(ruleOf(noReason.body), 'write rule: cloud-pharmacy-review-task/reason');
    const res = await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'rejected', '诊断与用药不符'));
    assert.equal(res.status, 200, res.text);
    const rejected = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(rejected.status, 'cancelled');
    assert.equal(reviewStatus(rejected), 'rejected');
    const seen = await client(server, 'clinician').get(`/Task/${task.id}`);
    assert.equal(seen.status, 200);
    assert.equal((seen.body as Task).statusReason?.text, '诊断与用药不符');
  });

  it('a return for revision holds the request; the revised request goes back to review with a new Task', async () => {
    const { request, task } = await prescribe(server, prescription());
    assert.equal((await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'returned-for-revision', '请注明诊断'))).status, 200);
    const held = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(held.status, 'on-hold');
    const revised = { ...held, status: 'draft' as const, reasonReference: [{ reference: 'Condition/rx-htn' }], dispenseRequest: { ...held.dispenseRequest, quantity: { ...held.dispenseRequest!.quantity!, value: 6 } } };
    const res = await client(server, 'clinician').put(`/MedicationRequest/${request.id}`, revised);
    assert.equal(res.status, 200, res.text);
    const again = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(reviewStatus(again), 'software-prescreened');
    assert.notEqual(reviewTaskOf(again), `Task/${task.id}`);
  });

  it('refuses self-approval by PATCH of the request (422, rule named, nothing stored)', async () => {
    const { request } = await prescribe(server, prescription());
    const review = request.extension!.findIndex((e) => e.url === `${dhc}/StructureDefinition/prescription-review`);
    const res = await client(server, 'clinician').patch(`/MedicationRequest/${request.id}`, [
      { op: 'replace', path: `/extension/${review}/extension/0/valueCodeableConcept/coding/0/code`, value: 'approved' },
      { op: 'replace', path: '/status', value: 'active' },
    ]);
    assert.equal(res.status, 422, res.text);
    assert.equal(ruleOf(res.body), 'write rule: cloud-prescription/review-outcome');
    const stored = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(stored.meta?.versionId, request.meta?.versionId);
    assert.equal(stored.status, 'draft');
  });

  it('refuses the outcome written on the request even with the status left alone (422)', async () => {
    const { request } = await prescribe(server, prescription());
    const task = reviewTaskOf(request) as string;
    const edited = { ...request, extension: request.extension!.map((e) => (e.url.endsWith('prescription-review') ? { url: e.url, extension: [{ url: 'status', valueCodeableConcept: { coding: [{ system: `${dhc}/CodeSystem/prescription-review-status`, code: 'approved' }] } }, { url: 'task', valueReference: { reference: task } }] } : e)) };
    const res = await client(server, 'pharmacist').put(`/MedicationRequest/${request.id}`, edited);
    assert.equal(res.status, 422, res.text);
    assert.equal(ruleOf(res.body), 'write rule: cloud-prescription/review-outcome');
  });

  it('only a pharmacist of the cloud pharmacy completes the review Task (403 for the prescriber, a nurse, a pharmacist elsewhere)', async () => {
    const { request, task } = await prescribe(server, prescription());
    for (const role of ['clinician', 'otherPharmacist'] as const) {
      const res = await client(server, role).put(`/Task/${task.id}`, decided(task, 'approved'));
      assert.equal(res.status, 403, `${role}: ${res.text}`);
      assert.equal(ruleOf(res.body), 'write rule: cloud-pharmacy-review-task/pharmacist');
    }
    const nurse = await client(server, 'nurse').put(`/Task/${task.id}`, decided(task, 'approved'));
    assert.equal(nurse.status, 403);
    const stored = await read<Task>(server, `Task/${task.id}`);
    assert.equal(stored.status, 'requested');
    assert.equal((await read<MedicationRequest>(server, `MedicationRequest/${request.id}`)).status, 'draft');
  });

  it('an administrator loading recorded history may record a pharmacist\'s decision on a Task a pharmacist owns', async () => {
    const { request, task } = await prescribe(server, prescription());
    const res = await client(server, 'admin').put(`/Task/${task.id}`, decided(task, 'approved'));
    assert.equal(res.status, 200, res.text);
    assert.equal((await read<MedicationRequest>(server, `MedicationRequest/${request.id}`)).status, 'active');
    const { task: unowned } = await prescribe(server, prescription());
    const noPharmacist = await client(server, 'admin').put(`/Task/${unowned.id}`, { ...decided(unowned, 'approved'), owner: { reference: 'PractitionerRole/rx-gp-role' } });
    assert.equal(noPharmacist.status, 422);
    assert.equal(ruleOf(noPharmacist.body), 'write rule: cloud-pharmacy-review-task/owner');
  });

  it('refuses a review Task created already completed by the prescriber (403)', async () => {
    const { request, task } = await prescribe(server, prescription());
    const forged = { ...decided(task, 'approved'), id: undefined };
    const res = await client(server, 'clinician').post('/Task', forged);
    assert.equal(res.status, 403);
    assert.equal((await read<MedicationRequest>(server, `MedicationRequest/${request.id}`)).status, 'draft');
  });

  it('a review Task is deleted only with its prescription', async () => {
    // A patient of its own: no other request's findings implicate this one.
    const { request, task } = await prescribe(server, prescription({ subject: { reference: 'Patient/rx-pat-2' } }));
    const alone = await client(server, 'admin').delete(`/Task/${task.id}`);
    assert.equal(alone.status, 422, alone.text);
    assert.equal(ruleOf(alone.body), 'write rule: cloud-pharmacy-review-task/final');
    const both = await client(server, 'admin').post('/', {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [`Task/${task.id}`, `MedicationRequest/${request.id}`].map((url) => ({ request: { method: 'DELETE', url } })),
    });
    assert.equal(both.status, 200, both.text);
  });

  it('a completed review is final', async () => {
    const { task } = await prescribe(server, prescription());
    assert.equal((await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'approved'))).status, 200);
    const stored = await read<Task>(server, `Task/${task.id}`);
    const res = await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(stored, 'rejected', '改主意'));
    assert.equal(res.status, 422);
    assert.equal(ruleOf(res.body), 'write rule: cloud-pharmacy-review-task/final');
  });

  it('a change of dose after approval voids the approval: on hold, back in review with a new Task', async () => {
    const { request, task } = await prescribe(server, prescription());
    await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'approved'));
    const approved = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    const dosage = approved.dosageInstruction![0];
    const changed = { ...approved, dosageInstruction: [{ ...dosage, doseAndRate: [{ doseQuantity: { ...dosage.doseAndRate![0].doseQuantity!, value: 2 } }] }] };
    const res = await client(server, 'clinician').put(`/MedicationRequest/${request.id}`, changed);
    assert.equal(res.status, 200, res.text);
    const voided = await read<MedicationRequest>(server, `MedicationRequest/${request.id}`);
    assert.equal(voided.status, 'on-hold');
    assert.equal(reviewStatus(voided), 'software-prescreened');
    assert.notEqual(reviewTaskOf(voided), `Task/${task.id}`);
    const newTask = await read<Task>(server, reviewTaskOf(voided) as string);
    assert.equal(newTask.status, 'requested');
    // A change that is not of medication, dose or duration keeps the approval.
    const { request: other, task: otherTask } = await prescribe(server, prescription());
    await client(server, 'pharmacist').put(`/Task/${otherTask.id}`, decided(otherTask, 'approved'));
    const current = await read<MedicationRequest>(server, `MedicationRequest/${other.id}`);
    assert.equal((await client(server, 'clinician').put(`/MedicationRequest/${other.id}`, { ...current, note: [{ text: '饭后服用' }] })).status, 200);
    assert.equal(reviewStatus(await read<MedicationRequest>(server, `MedicationRequest/${other.id}`)), 'approved');
  });

  it('the pharmacist queue: open review Tasks, oldest first; the clinic sees its prescriptions by review state', async () => {
    const first = await prescribe(server, prescription());
    const second = await prescribe(server, prescription());
    const queue = await search<Task>(server, `Task?code=${dhc}/CodeSystem/cloud-pharmacy-task|prescription-review&status=requested&_sort=authored-on&_count=100`, 'pharmacist');
    const ids = queue.map((t) => t.id);
    assert.ok(ids.indexOf(first.task.id) < ids.indexOf(second.task.id) && ids.indexOf(first.task.id) >= 0);
    const waiting = await search<MedicationRequest>(server, 'MedicationRequest?review-status=software-prescreened&requester:PractitionerRole.organization=Organization/rx-clinic&_count=100', 'clinician');
    assert.ok(waiting.some((r) => r.id === first.request.id));
    assert.deepEqual(waiting.filter((r) => reviewStatus(r) !== 'software-prescreened').map((r) => [r.id, reviewStatus(r), r.meta?.versionId]), []);
  });

  it('records the findings for the pharmacist as DetectedIssues implicating the request', async () => {
    const high = prescription({ dosageInstruction: [{ ...prescription().dosageInstruction![0], doseAndRate: [{ doseQuantity: { value: 3, system: 'http://unitsofmeasure.org', code: '{tablet}' } }] }] });
    const { request } = await prescribe(server, high);
    const findings = await findingsOf(server, request.id as string);
    const dose = findings.find((f) => f.code?.coding?.[0]?.code === 'dose-range');
    assert.ok(dose, JSON.stringify(findings));
    assert.equal(dose.severity, 'high');
    assert.equal(dose.patient?.reference, 'Patient/rx-pat');
  });
});
