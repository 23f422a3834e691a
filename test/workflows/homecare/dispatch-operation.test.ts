// $dispatch on a hand-built network: the nearest nurse who is authorized for the service, serves the
// home and is on duty is chosen, the others ranked; a nurse who declines passes the order to the next;
// no candidate, an order not assessed, and an order already dispatched are answered with an OperationOutcome.
import type { Parameters as FhirParameters, ParametersParameter, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { assessment, homeCareFixture, homeCareRequest, nurseRole, visitStep, type HomeCareFixture } from './fixture';

const param = (body: FhirParameters, name: string): ParametersParameter | undefined => body.parameter?.find((p) => p.name === name);
const alternatives = (body: FhirParameters): string[] =>
  (body.parameter ?? []).filter((p) => p.name === 'alternative').map((p) => p.part?.find((x) => x.name === 'nurse')?.valueReference?.reference as string);

describe('home care: $dispatch', function () {
  this.timeout(120_000);
  let f: HomeCareFixture;

  before(async () => {
    f = await homeCareFixture();
  });
  after(() => f.server.close());

  const assessed = async (id: string, options: Parameters<typeof homeCareRequest>[1] = {}): Promise<void> => {
    await f.put(homeCareRequest(id, options));
    await f.put(assessment(id, 'eligible', options.patient));
  };

  it('chooses the nearest nurse authorized for the service, serving the home and on duty, and ranks the others', async () => {
    await assessed('sr-rank');
    const res = await f.as(f.clinicianToken).post('/ServiceRequest/sr-rank/$dispatch');
    assert.equal(res.status, 200, res.text);
    const body = res.body as FhirParameters;
    assert.equal(param(body, 'nurse')?.valueReference?.reference, nurseRole('first'));
    assert.equal(param(body, 'distance')?.valueDecimal, 1);
    // Left out: the unqualified one (0.3 km), the one whose 0.4 km area stops short of the home (0.5 km),
    // the one off duty on a Tuesday (0.7 km), the one whose 5 km area does not reach 9 km.
    assert.deepEqual(alternatives(body), [nurseRole('second')]);
    const [visit] = await f.visits('sr-rank');
    assert.equal(`Task/${visit.id}`, param(body, 'task')?.valueReference?.reference);
    assert.equal(visit.status, 'requested');
    assert.equal(visit.owner?.reference, nurseRole('first'));
    assert.equal(visit.for?.reference, 'Patient/hc-pat-1');
    assert.ok(visit.code?.coding?.some((c) => c.code === 'home-visit'));
  });

  it('answers 409 for an order that already has an open visit, and writes no second Task', async () => {
    const res = await f.as(f.clinicianToken).post('/ServiceRequest/sr-rank/$dispatch');
    assert.equal(res.status, 409);
    assert.equal(res.body.issue[0].code, 'conflict');
    assert.equal((await f.visits('sr-rank')).length, 1);
  });

  it('takes a service only the qualified nurse covers to her, though another is nearer', async () => {
    await assessed('sr-blood', { code: 'venous-blood-sampling' });
    const res = await f.as(f.clinicianToken).post('/ServiceRequest/sr-blood/$dispatch');
    assert.equal(res.status, 200, res.text);
    // nearUnqualified is authorized for blood sampling and 0.3 km away: she is the nearest.
    assert.equal(param(res.body, 'nurse')?.valueReference?.reference, nurseRole('nearUnqualified'));
    assert.deepEqual(alternatives(res.body), [nurseRole('second')]);
  });

  it('passes a declined order to the next nurse, and says so when no one is left', async () => {
    await assessed('sr-decline');
    assert.equal((await f.as(f.clinicianToken).post('/ServiceRequest/sr-decline/$dispatch')).status, 200);
    const [first] = await f.visits('sr-decline');
    // A decline without a reason is refused.
    const bare = await f.as(f.nurseToken('first')).put(visitStep(first, 'rejected'));
    assert.equal(bare.status, 422);
    assert.match(bare.body.issue[0].diagnostics ?? '', /home-care-visit-record/, bare.text);
    const declined = await f.as(f.nurseToken('first')).put(visitStep(first, 'rejected', { statusReason: { text: '当日已排满' } }));
    assert.equal(declined.status, 200, declined.text);
    const afterFirst = await f.visits('sr-decline');
    assert.equal(afterFirst.length, 2);
    const next = afterFirst.find((t) => t.id !== first.id) as Task;
    assert.equal(next.status, 'requested');
    assert.equal(next.owner?.reference, nurseRole('second'));
    const declinedAgain = await f.as(f.nurseToken('second')).put(visitStep(next, 'rejected', { statusReason: { text: '休假' } }));
    assert.equal(declinedAgain.status, 200, declinedAgain.text);
    assert.equal((await f.visits('sr-decline')).length, 2);
    const none = await f.as(f.clinicianToken).post('/ServiceRequest/sr-decline/$dispatch');
    assert.equal(none.status, 422);
    assert.equal(none.body.resourceType, 'OperationOutcome');
    assert.match(none.body.issue[0].details.text, /2 declined it/);
  });

  it('offers a nurse at most 6 open visits a day: the seventh order of her day goes to the next nurse, another day to her', async () => {
    const chosen: string[] = [];
    for (let n = 0; n < 7; n++) {
      await assessed(`sr-day-${n}`, { day: '2026-12-10' });
      const res = await f.as(f.clinicianToken).post(`/ServiceRequest/sr-day-${n}/$dispatch`);
      assert.equal(res.status, 200, res.text);
      chosen.push(param(res.body, 'nurse')?.valueReference?.reference as string);
    }
    assert.deepEqual(chosen, [...Array<string>(6).fill(nurseRole('first')), nurseRole('second')]);
    const [visit] = await f.visits('sr-day-0');
    assert.equal(visit.restriction?.period?.start, '2026-12-10T09:30:00+08:00');
    await assessed('sr-next-day', { day: '2026-12-11' });
    const nextDay = await f.as(f.clinicianToken).post('/ServiceRequest/sr-next-day/$dispatch');
    assert.equal(param(nextDay.body, 'nurse')?.valueReference?.reference, nurseRole('first'));
    assert.equal(param(nextDay.body, 'openVisits')?.valueInteger, 0);
  });

  it('answers 422 with the reason when no nurse is authorized for the service', async () => {
    await assessed('sr-acupuncture', { code: 'acupuncture' });
    const res = await f.as(f.clinicianToken).post('/ServiceRequest/sr-acupuncture/$dispatch');
    assert.equal(res.status, 422);
    assert.equal(res.body.issue[0].code, 'business-rule');
    assert.match(res.body.issue[0].details.text, /No active home-care nurse is authorized for 'acupuncture'/);
    assert.equal((await f.visits('sr-acupuncture')).length, 0);
  });

  it('dispatches only an order the family-doctor team assessed eligible', async () => {
    await f.put(homeCareRequest('sr-unassessed'));
    const res = await f.as(f.clinicianToken).post('/ServiceRequest/sr-unassessed/$dispatch');
    assert.equal(res.status, 422);
    assert.match(res.body.issue[0].details.text, /eligibility assessment/);
    await f.put(assessment('sr-unassessed', 'not-eligible'));
    assert.equal((await f.as(f.clinicianToken).post('/ServiceRequest/sr-unassessed/$dispatch')).status, 422);
    // Nor can a visit be written directly for it.
    const direct = await f.as(f.clinicianToken).put({
      resourceType: 'Task', id: 'direct-visit', status: 'requested', intent: 'order',
      code: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/home-care-workflow', code: 'home-visit' }] },
      focus: { reference: 'ServiceRequest/sr-unassessed' }, for: { reference: 'Patient/hc-pat-1' }, authoredOn: '2026-12-06T11:00:00+08:00',
      owner: { reference: nurseRole('first') },
    } as Task);
    assert.equal(direct.status, 422);
    assert.match(direct.body.issue[0].diagnostics, /home-care-visit-record/);
  });

  it('is dispatched by the clinic, not by a patient, a pharmacist or a nurse (403), and is declared in the CapabilityStatement', async () => {
    await assessed('sr-who');
    for (const token of [f.patientToken, f.pharmacistToken, f.nurseToken('first')]) {
      const res = await f.as(token).post('/ServiceRequest/sr-who/$dispatch');
      assert.equal(res.status, 403, res.text);
    }
    assert.equal((await f.visits('sr-who')).length, 0);
    const metadata = await f.server.http.get('/metadata');
    const serviceRequest = metadata.body.rest[0].resource.find((r: { type: string }) => r.type === 'ServiceRequest');
    assert.deepEqual(serviceRequest.operation.find((o: { name: string }) => o.name === 'dispatch'), {
      name: 'dispatch',
      definition: 'https://fhir.dhc.example/OperationDefinition/ServiceRequest-dispatch',
    });
    const definition = await f.server.http.get('/OperationDefinition/ServiceRequest-dispatch');
    assert.equal(definition.status, 200);
    assert.equal(definition.body.code, 'dispatch');
  });
});
