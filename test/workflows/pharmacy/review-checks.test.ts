// Every check of the automated review, firing and not firing: through MedicationRequest/$review (the
// findings with their severities) and, for the refusing checks, through the write itself (422, the rule
// named, nothing stored).
import type { AllergyIntolerance, Bundle, CapabilityStatement, MedicationRequest, OperationOutcome, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient as patientFixture } from '../../helpers/fixtures';
import { client, search } from './pharmacy-client';
import { clinicRef, dhc, longPrescription, pharmacyRef, pharmacyServer, prescription, type PharmacyServer } from './pharmacy-fixtures';

describe('cloud pharmacy: the automated review', function () {
  this.timeout(120_000);
  let server: PharmacyServer;
  before(async () => {
    server = await pharmacyServer();
  });
  after(async () => server.close());

  /** A patient of the clinic of its own, so that other tests' requests are not its other therapy. */
  async function newPatient(): Promise<string> {
    const res = await client(server, 'admin').post('/Patient', { ...patientFixture(), managingOrganization: { reference: clinicRef } } satisfies Patient);
    assert.equal(res.status, 201, res.text);
    return `Patient/${(res.body as Patient).id}`;
  }
  async function findings(request: MedicationRequest): Promise<{ check?: string; severity?: string; level?: string; text?: string }[]> {
    const res = await client(server, 'pharmacist').post('/MedicationRequest/$review', request);
    assert.equal(res.status, 200, res.text);
    return (res.body as OperationOutcome).issue
      .filter((i) => i.details?.coding?.[0]?.system === `${dhc}/CodeSystem/prescription-check`)
      .map((i) => ({ check: i.details?.coding?.[0]?.code, severity: i.details?.coding?.[1]?.code, level: i.severity, text: i.details?.text }));
  }
  const checks = async (request: MedicationRequest): Promise<string[]> => (await findings(request)).map((f) => f.check as string);
  async function refused(request: MedicationRequest, rule: string): Promise<void> {
    const marker = `rx-refused-${Math.random().toString(36).slice(2)}`;
    const res = await client(server, 'clinician').post('/MedicationRequest', { ...request, identifier: [{ system: `${dhc}/sid/test`, value: marker }] });
    assert.equal(res.status, 422, res.text);
    assert.equal((res.body as OperationOutcome).issue[0].code, 'business-rule');
    assert.equal((res.body as OperationOutcome).issue[0].diagnostics, `write rule: ${rule}`);
    assert.equal((await search(server, `MedicationRequest?identifier=${dhc}/sid/test|${marker}`)).length, 0, 'nothing stored');
    assert.equal((await search(server, `Task?_count=1000`)).filter((t) => JSON.stringify(t).includes(marker)).length, 0);
  }
  const withDose = (tablets: number, product?: string): MedicationRequest =>
    prescription({ dosageInstruction: [{ ...prescription().dosageInstruction![0], doseAndRate: [{ doseQuantity: { value: tablets, system: 'http://unitsofmeasure.org', code: '{tablet}' } }] }] }, product);

  it('a clean prescription passes every check', async () => {
    const res = await client(server, 'pharmacist').post('/MedicationRequest/$review', { ...prescription(), subject: { reference: await newPatient() } });
    assert.equal(res.status, 200);
    const outcome = res.body as OperationOutcome;
    assert.equal(outcome.issue.length, 1);
    assert.equal(outcome.issue[0].severity, 'information');
  });

  it('formulary: a drug outside the formulary is refused', async () => {
    const notListed = prescription({ medicationCodeableConcept: { coding: [{ system: `${dhc}/CodeSystem/formulary`, code: 'sildenafil-tab-100mg' }] } });
    assert.deepEqual(await findings(notListed), [{ check: 'formulary', severity: 'high', level: 'error', text: 'The medication is not a product of the network formulary (https://fhir.dhc.example/CodeSystem/formulary)' }]);
    await refused(notListed, 'cloud-prescription/formulary');
    // Coded outside the formulary's system, the same.
    await refused(prescription({ medicationCodeableConcept: { text: '氨氯地平' } }), 'cloud-prescription/formulary');
  });

  it('excluded class: narcotics, psychotropics and antimicrobials are never prescribed online', async () => {
    for (const product of ['morphine-srtab-30mg', 'diazepam-tab-2.5mg', 'levofloxacin-tab-0.5g']) {
      assert.ok((await checks(prescription({}, product))).includes('excluded-class'), product);
    }
    await refused(prescription({}, 'morphine-srtab-30mg'), 'cloud-prescription/excluded-class');
    // The issue's case: 28 days of morphine as a long prescription.
    await refused({ ...longPrescription(28), medicationCodeableConcept: prescription({}, 'morphine-srtab-30mg').medicationCodeableConcept }, 'cloud-prescription/excluded-class');
    assert.ok(!(await checks(prescription())).includes('excluded-class'));
  });

  it('days of supply: 7 days ordinary, 4 weeks long, 12 weeks long with the evaluation', async () => {
    const eight = prescription({ dispenseRequest: { ...prescription().dispenseRequest, expectedSupplyDuration: { value: 8, system: 'http://unitsofmeasure.org', code: 'd' } } });
    await refused(eight, 'cloud-prescription/days-of-supply');
    assert.ok(!(await checks(longPrescription(28, false))).includes('days-of-supply'));
    await refused(longPrescription(56, false), 'cloud-prescription/days-of-supply');
    assert.deepEqual(await findings(longPrescription(56)), []);
    assert.ok(!(await checks(longPrescription(84))).includes('days-of-supply'));
    await refused(longPrescription(91), 'cloud-prescription/days-of-supply');
    // A long prescription names an active condition of the same patient.
    const otherPatient = { ...longPrescription(28), subject: { reference: 'Patient/rx-pat-2' } };
    await refused(otherPatient, 'cloud-prescription/days-of-supply');
    const weeks = prescription({ dispenseRequest: { ...prescription().dispenseRequest, expectedSupplyDuration: { value: 2, system: 'http://unitsofmeasure.org', code: 'wk' } } });
    await refused(weeks, 'cloud-prescription/days-of-supply');
    const stored = await client(server, 'clinician').post('/MedicationRequest', longPrescription(84));
    assert.equal(stored.status, 201, stored.text);
  });

  it('dose range: the daily dose within the formulary range for the route', async () => {
    const subject = { reference: await newPatient() };
    assert.deepEqual((await findings({ ...withDose(1), subject })).map((f) => f.check), []);
    const high = (await findings({ ...withDose(3), subject })).find((f) => f.check === 'dose-range');
    assert.equal(high?.severity, 'high');
    assert.match(high?.text ?? '', /15 mg is outside the formulary range 2.5-10 mg/);
    const low = (await findings({ ...withDose(0.5, 'amlodipine-tab-2.5mg'), subject })).find((f) => f.check === 'dose-range');
    assert.equal(low?.severity, 'moderate');
    // Metformin 0.5 g three times a day (1.5 g) is inside 0.5-2.55 g; four tablets three times is not.
    const metformin = (n: number): MedicationRequest => ({ ...withDose(n, 'metformin-tab-0.5g'), subject, dosageInstruction: [{ ...withDose(n).dosageInstruction![0], timing: { repeat: { frequency: 3, period: 1, periodUnit: 'd' } } }] });
    assert.ok(!(await checks(metformin(1))).includes('dose-range'));
    assert.ok((await checks(metformin(4))).includes('dose-range'));
  });

  it('frequency and route: valid, and the product\'s route', async () => {
    const subject = { reference: await newPatient() };
    const dosage = prescription().dosageInstruction![0];
    assert.ok((await checks({ ...prescription(), subject, dosageInstruction: [{ ...dosage, timing: undefined }] })).includes('frequency'));
    assert.ok((await checks({ ...prescription(), subject, dosageInstruction: [{ ...dosage, timing: { repeat: { frequency: 1, period: 0, periodUnit: 'd' } } }] })).includes('frequency'));
    const route = await findings({ ...prescription(), subject, dosageInstruction: [{ ...dosage, route: { coding: [{ system: `${dhc}/CodeSystem/route-of-administration`, code: 'subcutaneous' }] } }] });
    assert.equal(route.find((f) => f.check === 'route')?.severity, 'high');
    assert.ok((await checks({ ...prescription(), subject, dosageInstruction: [{ ...dosage, route: { text: '口服' } }] })).includes('route'));
    assert.deepEqual(await checks({ ...prescription(), subject }), []);
  });

  it('duplicate therapy: the same ingredient or class as another active request of the patient', async () => {
    const subject = { reference: await newPatient() };
    assert.equal((await client(server, 'clinician').post('/MedicationRequest', { ...prescription(), subject })).status, 201);
    const same = (await findings({ ...prescription({}, 'amlodipine-tab-2.5mg'), subject })).find((f) => f.check === 'duplicate-therapy');
    assert.equal(same?.severity, 'moderate');
    assert.match(same?.text ?? '', /Same ingredient/);
    const sameClass = (await findings({ ...prescription({}, 'nifedipine-crtab-30mg'), subject, dosageInstruction: [{ ...withDose(1).dosageInstruction![0] }] })).find((f) => f.check === 'duplicate-therapy');
    assert.equal(sameClass?.severity, 'low');
    assert.ok(!(await checks({ ...prescription({}, 'metformin-tab-0.5g'), subject, dosageInstruction: [{ ...withDose(1).dosageInstruction![0], timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd' } } }] })).includes('duplicate-therapy'));
  });

  it('allergies: a documented allergy to the ingredient (formulary) or class (ATC); not a refuted one', async () => {
    const patient = await newPatient();
    const allergy = (code: { system: string; code: string }, verification = 'confirmed'): AllergyIntolerance => ({
      resourceType: 'AllergyIntolerance',
      patient: { reference: patient },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: verification }] },
      code: { coding: [code] },
    });
    const subject = { reference: patient };
    assert.ok(!(await checks({ ...prescription(), subject })).includes('allergy'));
    assert.equal((await client(server, 'clinician').post('/AllergyIntolerance', allergy({ system: 'http://www.whocc.no/atc', code: 'C08CA' }, 'refuted'))).status, 201);
    assert.ok(!(await checks({ ...prescription(), subject })).includes('allergy'), 'a refuted allergy is not a finding');
    assert.equal((await client(server, 'clinician').post('/AllergyIntolerance', allergy({ system: 'http://www.whocc.no/atc', code: 'C08CA' }))).status, 201);
    assert.equal((await findings({ ...prescription(), subject })).find((f) => f.check === 'allergy')?.severity, 'high');
    assert.ok(!(await checks({ ...prescription({}, 'losartan-tab-50mg'), subject })).includes('allergy'));
    const other = await newPatient();
    assert.equal((await client(server, 'clinician').post('/AllergyIntolerance', { ...allergy({ system: `${dhc}/CodeSystem/formulary`, code: 'generic-amlodipine' }), patient: { reference: other } })).status, 201);
    assert.ok((await checks({ ...prescription(), subject: { reference: other } })).includes('allergy'));
  });

  it('interactions: pairs of the interaction table with another active request, with the source named', async () => {
    const subject = { reference: await newPatient() };
    const simvastatin = { ...prescription({}, 'simvastatin-tab-20mg'), subject };
    assert.equal((await client(server, 'clinician').post('/MedicationRequest', simvastatin)).status, 201);
    const interaction = (await findings({ ...prescription(), subject })).find((f) => f.check === 'interaction');
    assert.equal(interaction?.severity, 'moderate');
    assert.match(interaction?.text ?? '', /Simvastatin with amlodipine.*source: US FDA/);
    assert.ok(!(await checks({ ...prescription({}, 'losartan-tab-50mg'), subject })).includes('interaction'));
  });

  it('$review on a stored request, and on a request not addressed to the cloud pharmacy', async () => {
    const created = await client(server, 'clinician').post('/MedicationRequest', { ...withDose(3), subject: { reference: await newPatient() } });
    const id = (created.body as MedicationRequest).id;
    const res = await client(server, 'pharmacist').get(`/MedicationRequest/${id}/$review`);
    assert.equal(res.status, 200);
    assert.ok((res.body as OperationOutcome).issue.some((i) => i.details?.coding?.[0]?.code === 'dose-range'));
    assert.equal((await client(server, 'pharmacist').get('/MedicationRequest/nope/$review')).status, 404);
    const local = await client(server, 'pharmacist').post('/MedicationRequest/$review', { ...prescription(), dispenseRequest: { ...prescription().dispenseRequest, performer: { reference: clinicRef } } });
    assert.ok((local.body as OperationOutcome).issue.some((i) => i.expression?.[0] === 'MedicationRequest.dispenseRequest.performer'));
    assert.equal((await client(server, 'pharmacist').post('/MedicationRequest/$review', { resourceType: 'Patient' })).status, 400);
    const viaParameters = await client(server, 'pharmacist').post('/MedicationRequest/$review', { resourceType: 'Parameters', parameter: [{ name: 'resource', resource: prescription({}, 'morphine-srtab-30mg') }] });
    assert.equal((viaParameters.body as OperationOutcome).issue[0].details?.coding?.[0]?.code, 'excluded-class');
    assert.equal((await client(server, 'pharmacist').post('/Patient/$review', prescription())).status, 404);
  });

  it('requests not addressed to the cloud pharmacy are not governed by its rules', async () => {
    const res = await client(server, 'clinician').post('/MedicationRequest', { ...prescription({}, 'morphine-srtab-30mg'), dispenseRequest: { ...prescription().dispenseRequest, performer: { reference: clinicRef } } });
    assert.equal(res.status, 201, res.text);
    // Nor by naming the cloud pharmacy with an absolute URL.
    const absolute = await client(server, 'clinician').post('/MedicationRequest', { ...prescription({}, 'morphine-srtab-30mg'), dispenseRequest: { ...prescription().dispenseRequest, performer: { reference: `http://fhir.test/${pharmacyRef}` } } });
    assert.equal(absolute.status, 422, absolute.text);
    // Nor can a cloud prescription escape them by changing its performer.
    const cloud = await client(server, 'clinician').post('/MedicationRequest', prescription());
    const moved = { ...(cloud.body as MedicationRequest), dispenseRequest: { ...prescription().dispenseRequest, performer: { reference: clinicRef } } };
    const escape = await client(server, 'clinician').put(`/MedicationRequest/${moved.id}`, moved);
    assert.equal(escape.status, 422);
    assert.equal((escape.body as OperationOutcome).issue[0].diagnostics, 'write rule: cloud-prescription');
  });

  it('the CapabilityStatement declares $review with its OperationDefinition', async () => {
    const metadata = (await client(server, 'admin').get('/metadata')).body as CapabilityStatement;
    const type = metadata.rest?.[0].resource?.find((r) => r.type === 'MedicationRequest');
    const operation = type?.operation?.find((o) => o.name === 'review');
    assert.equal(operation?.definition, 'https://fhir.dhc.example/OperationDefinition/MedicationRequest-review');
    const definition = (await client(server, 'admin').get('/OperationDefinition?url=https://fhir.dhc.example/OperationDefinition/MedicationRequest-review')).body as Bundle;
    assert.equal(definition.entry?.length, 1);
  });
});
