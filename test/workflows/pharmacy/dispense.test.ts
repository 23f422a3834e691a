// Dispense and delivery of an approved cloud prescription: only by a pharmacist of the cloud pharmacy,
// only after approval, never beyond the approved quantity, forward through preparation, in-progress
// (with the tracking number of a home delivery) and completed.
import type { MedicationDispense, MedicationRequest } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { client, decided, ruleOf, prescribe, search } from './pharmacy-client';
import { dhc, pharmacyRef, pharmacyServer, prescription, type PharmacyServer } from './pharmacy-fixtures';

const ucum = 'http://unitsofmeasure.org';

describe('cloud pharmacy: dispense and delivery', function () {
  this.timeout(120_000);
  let server: PharmacyServer;
  before(async () => {
    server = await pharmacyServer();
  });
  after(async () => server.close());

  function dispense(request: MedicationRequest, overrides: Partial<MedicationDispense> = {}): MedicationDispense {
    return {
      resourceType: 'MedicationDispense',
      extension: [{ url: `${dhc}/StructureDefinition/home-address`, valueAddress: { text: '青禾市某区某路1号' } }],
      status: 'preparation',
      medicationCodeableConcept: request.medicationCodeableConcept,
      subject: request.subject,
      performer: [{ actor: { reference: pharmacyRef } }, { actor: { reference: 'PractitionerRole/rx-ph-role-1' } }],
      authorizingPrescription: [{ reference: `MedicationRequest/${request.id}` }],
      quantity: request.dispenseRequest?.quantity,
      daysSupply: { value: 7, system: 'http://unitsofmeasure.org', code: 'd' },
      ...overrides,
    };
  }
  async function approvedRequest(): Promise<MedicationRequest> {
    const { request, task } = await prescribe(server, prescription());
    assert.equal((await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'approved'))).status, 200);
    return (await client(server, 'admin').get(`/MedicationRequest/${request.id}`)).body as MedicationRequest;
  }
  const dispensesOf = (request: MedicationRequest): Promise<MedicationDispense[]> => search<MedicationDispense>(server, `MedicationDispense?prescription=MedicationRequest/${request.id}`);

  it('nothing is dispensed before approval (422, rule named, nothing stored)', async () => {
    const { request } = await prescribe(server, prescription());
    const res = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request));
    assert.equal(res.status, 422, res.text);
    assert.equal(ruleOf(res.body), 'write rule: cloud-pharmacy-dispense/approval');
    assert.equal((await dispensesOf(request)).length, 0);
  });

  it('only a pharmacist of the cloud pharmacy dispenses (403 for the prescriber)', async () => {
    const request = await approvedRequest();
    const res = await client(server, 'clinician').post('/MedicationDispense', dispense(request));
    assert.equal(res.status, 403, res.text);
    assert.equal(ruleOf(res.body), 'write rule: cloud-pharmacy-dispense/pharmacist');
    assert.equal((await dispensesOf(request)).length, 0);
  });

  it('the cloud pharmacy performs it, with the approved medication', async () => {
    const request = await approvedRequest();
    const noPharmacy = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { performer: [{ actor: { reference: 'PractitionerRole/rx-ph-role-1' } }] }));
    assert.equal(ruleOf(noPharmacy.body), 'write rule: cloud-pharmacy-dispense/performer');
    const other = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { medicationCodeableConcept: prescription({}, 'losartan-tab-50mg').medicationCodeableConcept }));
    assert.equal(ruleOf(other.body), 'write rule: cloud-pharmacy-dispense/medication');
  });

  it('moves forward from preparation to in-progress (with its tracking number) to completed', async () => {
    const request = await approvedRequest();
    const created = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request));
    assert.equal(created.status, 201, created.text);
    const stored = created.body as MedicationDispense;
    const untracked = await client(server, 'pharmacist').put(`/MedicationDispense/${stored.id}`, { ...stored, status: 'in-progress' });
    assert.equal(untracked.status, 422);
    assert.equal(ruleOf(untracked.body), 'write rule: cloud-pharmacy-dispense/tracking');
    const tracking = [{ system: `${dhc}/sid/cloud-pharmacy/delivery-tracking`, value: 'SF1234567890' }];
    const shipped = await client(server, 'pharmacist').put(`/MedicationDispense/${stored.id}`, { ...stored, status: 'in-progress', identifier: tracking, whenPrepared: '2026-12-06T10:00:00+08:00' });
    assert.equal(shipped.status, 200, shipped.text);
    const noHandOver = await client(server, 'pharmacist').put(`/MedicationDispense/${stored.id}`, { ...shipped.body, status: 'completed' });
    assert.equal(ruleOf(noHandOver.body), 'write rule: cloud-pharmacy-dispense/status');
    const done = await client(server, 'pharmacist').put(`/MedicationDispense/${stored.id}`, { ...shipped.body, status: 'completed', whenHandedOver: '2026-12-07T15:00:00+08:00' });
    assert.equal(done.status, 200, done.text);
    const back = await client(server, 'pharmacist').put(`/MedicationDispense/${stored.id}`, { ...done.body, status: 'in-progress' });
    assert.equal(back.status, 422);
    assert.equal(ruleOf(back.body), 'write rule: cloud-pharmacy-dispense/status');
  });

  it('never more in total than the approved quantity', async () => {
    const request = await approvedRequest();
    const tooMuch = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: { ...request.dispenseRequest!.quantity!, value: 8 } }));
    assert.equal(tooMuch.status, 422);
    assert.equal(ruleOf(tooMuch.body), 'write rule: cloud-pharmacy-dispense/quantity');
    const half = { ...request.dispenseRequest!.quantity!, value: 4 };
    assert.equal((await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: half }))).status, 201);
    const second = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: half }));
    assert.equal(second.status, 422);
    assert.equal(ruleOf(second.body), 'write rule: cloud-pharmacy-dispense/quantity');
    assert.equal((await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: { ...half, value: 3 } }))).status, 201);
    assert.equal((await dispensesOf(request)).length, 2);
  });

  it('counts dispensed amounts in the approved unit: converted by UCUM, refused when they cannot be (422, rule named, nothing stored)', async () => {
    const request = await approvedRequest();
    const approved = request.dispenseRequest!.quantity!;
    for (const quantity of [
      { value: 4, unit: '片' },
      { value: 4, unit: '片', system: 'https://fhir.dhc.example/CodeSystem/package-unit', code: '{tablet}' },
      { value: 20, unit: 'mg', system: ucum, code: 'mg' },
    ]) {
      const res = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity }));
      assert.equal(res.status, 422, `${JSON.stringify(quantity)}: ${res.text}`);
      assert.equal(ruleOf(res.body), "write rule: cloud-pharmacy-dispense/unit", res.text);
    }
    assert.equal((await dispensesOf(request)).length, 0);
    assert.equal((await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: { value: 4, system: ucum, code: '1' } }))).status, 201);
    const beyond = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: { ...approved, value: 4 } }));
    assert.equal(ruleOf(beyond.body), 'write rule: cloud-pharmacy-dispense/quantity');

    // Approved as a mass: 35 mg, dispensed as 0.02 g and then in mg and ug.
    const { request: byMass, task } = await prescribe(server, prescription({ dispenseRequest: { ...prescription().dispenseRequest, quantity: { value: 35, unit: 'mg', system: ucum, code: 'mg' } } }));
    assert.equal((await client(server, 'pharmacist').put(`/Task/${task.id}`, decided(task, 'approved'))).status, 200);
    const mass = (await client(server, 'admin').get(`/MedicationRequest/${byMass.id}`)).body as MedicationRequest;
    assert.equal((await client(server, 'pharmacist').post('/MedicationDispense', dispense(mass, { quantity: { value: 0.02, system: ucum, code: 'g' } }))).status, 201);
    const over = await client(server, 'pharmacist').post('/MedicationDispense', dispense(mass, { quantity: { value: 20, system: ucum, code: 'mg' } }));
    assert.equal(over.status, 422);
    assert.equal(ruleOf(over.body), 'write rule: cloud-pharmacy-dispense/quantity');
    assert.match(over.body.issue[0].details.text, /^40 mg would be dispensed in all; 35 were approved/);
    assert.equal((await client(server, 'pharmacist').post('/MedicationDispense', dispense(mass, { quantity: { value: 15000, system: ucum, code: 'ug' } }))).status, 201);
    assert.equal((await dispensesOf(mass)).length, 2);
  });

  it('a voided approval stops dispensing until the new review approves', async () => {
    const request = await approvedRequest();
    const changed = { ...request, dispenseRequest: { ...request.dispenseRequest, quantity: { ...request.dispenseRequest!.quantity!, value: 6 } } };
    assert.equal((await client(server, 'clinician').put(`/MedicationRequest/${request.id}`, changed)).status, 200);
    const res = await client(server, 'pharmacist').post('/MedicationDispense', dispense(request, { quantity: { ...request.dispenseRequest!.quantity!, value: 6 } }));
    assert.equal(ruleOf(res.body), 'write rule: cloud-pharmacy-dispense/approval');
  });
});
