// The cloud-pharmacy workflow replayed through the FHIR core with the callers of each role, so that the
// seeded data itself shows the rules hold: a clinic's general practitioner prescribes (7 days, or a
// 4-week long prescription for the chronic condition), the review Task the server creates goes to a
// pharmacist of the cloud pharmacy, who approves (or rejects with a reason, or returns one for
// revision, which the prescriber revises and the pharmacist then approves), and the cloud pharmacy
// dispenses and delivers home with a tracking number. Every step is an API request; any refusal stops
// the seed. See docs/workflows.md, "Cloud pharmacy".
import type { Condition, Extension, MedicationDispense, MedicationRequest, Patient, Resource, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { FhirCore } from '../../server/fhir-core';
import type { Caller } from '../../server/fhir/pipeline/caller';
import { completedReview, reviewOf } from '../../server/workflows/pharmacy/cloud-pharmacy';
import { inProcess } from '../load';
import { networkDirectory } from '../network/directory';
import { antidiabetics, antihypertensives, type Drug } from '../patients/drugs';
import { patientRecord } from '../patients/patient-record';

const dhc = 'https://fhir.dhc.example';
const ucum = 'http://unitsofmeasure.org';
/** How many prescriptions the replay writes: a few dozen, two at most per patient. */
export const replayedPrescriptions = 36;

export interface ReplayOutcome {
  prescriptions: number;
  approved: number;
  rejected: number;
  dispensed: number;
}

function user(account: string, role: string, fhirUser: string, organization: string): Caller {
  return { kind: 'user', account, user: fhirUser, roles: [role], organizations: [organization], scopes: ['user/*.cruds'] };
}

/** Runs `method path` as `caller`; anything but the expected status stops the replay. */
async function call<T extends Resource>(core: FhirCore, logger: Logger, caller: Caller, method: string, path: string, body?: Resource, expected = method === 'POST' ? 201 : 200): Promise<T> {
  const response = await inProcess(core, logger, { method, path, headers: {}, caller, ...(body ? { body } : {}) });
  if (response.status !== expected) {
    throw new Error(`pharmacy replay: ${method} ${path} as ${caller.roles[0]} answered ${response.status}: ${JSON.stringify(response.body).slice(0, 500)}`);
  }
  return response.body as T;
}

function prescription(patient: Patient, condition: Condition, drug: Drug, days: number, pharmacy: string): MedicationRequest {
  const unitText = drug.unit === '{tablet}' ? '片' : '粒';
  const extension: Extension[] = [{ url: `${dhc}/StructureDefinition/home-address`, valueAddress: patient.address?.[0] ?? { text: '患者住址' } }];
  if (days > 7) {
    extension.push({ url: `${dhc}/StructureDefinition/long-prescription`, extension: [{ url: 'condition', valueReference: { reference: `Condition/${condition.id}` } }] });
  }
  return {
    resourceType: 'MedicationRequest',
    extension,
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: `${dhc}/CodeSystem/formulary`, code: drug.code, display: drug.display }], text: drug.text },
    subject: { reference: `Patient/${patient.id}` },
    authoredOn: new Date().toISOString(),
    requester: { reference: patient.generalPractitioner?.[0]?.reference },
    reasonReference: [{ reference: `Condition/${condition.id}` }],
    dosageInstruction: [
      {
        text: `每日${drug.perDay}次，每次${drug.perDose}${unitText}，口服`,
        timing: { repeat: { frequency: drug.perDay, period: 1, periodUnit: 'd' } },
        route: { coding: [{ system: `${dhc}/CodeSystem/route-of-administration`, code: 'oral', display: 'Oral' }] },
        doseAndRate: [{ doseQuantity: { value: drug.perDose, unit: unitText, system: ucum, code: drug.unit } }],
      },
    ],
    dispenseRequest: {
      quantity: { value: drug.perDose * drug.perDay * days, unit: unitText, system: ucum, code: drug.unit },
      expectedSupplyDuration: { value: days, unit: '天', system: ucum, code: 'd' },
      performer: { reference: pharmacy },
    },
  };
}

export async function replayPharmacyWorkflow(core: FhirCore, logger: Logger, options: { patients: number; seedValue: number }): Promise<ReplayOutcome> {
  const network = networkDirectory();
  const pharmacy = `Organization/${network.cloudPharmacy.id}`;
  const pharmacists = network.cloudPharmacy.pharmacists.map((p, i) => user(`replay-pharmacist-${i}`, 'pharmacist', `PractitionerRole/${p.roleId}`, pharmacy));
  const outcome: ReplayOutcome = { prescriptions: 0, approved: 0, rejected: 0, dispensed: 0 };
  for (let i = 0; i < options.patients && outcome.prescriptions < replayedPrescriptions; i++) {
    const record = patientRecord(i, options.seedValue, network);
    const patient = record.find((r): r is Patient => r.resourceType === 'Patient') as Patient;
    const clinic = patient.managingOrganization?.reference as string;
    const prescriber = user('replay-clinician', 'clinician', patient.generalPractitioner?.[0]?.reference as string, clinic);
    const conditions = record.filter((r): r is Condition => r.resourceType === 'Condition' && /-(htn|t2dm)$/.test(r.id ?? ''));
    for (const condition of conditions) {
      if (outcome.prescriptions >= replayedPrescriptions) {
        break;
      }
      const n = outcome.prescriptions++;
      const drugs = condition.id?.endsWith('-htn') ? antihypertensives : antidiabetics;
      const drug = drugs[n % drugs.length];
      const pharmacist = pharmacists[n % pharmacists.length];
      const created = await call<MedicationRequest>(core, logger, prescriber, 'POST', 'MedicationRequest', prescription(patient, condition, drug, n % 3 === 2 ? 28 : 7, pharmacy));
      let request = await call<MedicationRequest>(core, logger, prescriber, 'GET', `MedicationRequest/${created.id}`);
      let task = await call<Task>(core, logger, pharmacist, 'GET', reviewOf(request).task?.reference ?? '');
      if (n % 12 === 5) {
        await call(core, logger, pharmacist, 'PUT', `Task/${task.id}`, completedReview(task, 'rejected', '诊断与用药不符，请面诊后开具'));
        outcome.rejected++;
        continue;
      }
      if (n % 12 === 9) {
        // Returned for revision; the prescriber revises it (a clearer dosage text), and it is reviewed again.
        await call(core, logger, pharmacist, 'PUT', `Task/${task.id}`, completedReview(task, 'returned-for-revision', '请写明用法用量'));
        const held = await call<MedicationRequest>(core, logger, prescriber, 'GET', `MedicationRequest/${created.id}`);
        const dosage = held.dosageInstruction?.[0] ?? {};
        await call(core, logger, prescriber, 'PUT', `MedicationRequest/${created.id}`, { ...held, status: 'draft', dosageInstruction: [{ ...dosage, text: `${dosage.text}，饭后服用` }] });
        request = await call<MedicationRequest>(core, logger, prescriber, 'GET', `MedicationRequest/${created.id}`);
        task = await call<Task>(core, logger, pharmacist, 'GET', reviewOf(request).task?.reference ?? '');
      }
      await call(core, logger, pharmacist, 'PUT', `Task/${task.id}`, completedReview(task, 'approved'));
      outcome.approved++;
      request = await call<MedicationRequest>(core, logger, pharmacist, 'GET', `MedicationRequest/${created.id}`);
      const dispense: MedicationDispense = {
        resourceType: 'MedicationDispense',
        extension: [{ url: `${dhc}/StructureDefinition/home-address`, valueAddress: patient.address?.[0] ?? { text: '患者住址' } }],
        status: 'preparation',
        medicationCodeableConcept: request.medicationCodeableConcept,
        subject: request.subject,
        performer: [{ actor: { reference: pharmacy } }, { actor: { reference: pharmacist.user } }],
        authorizingPrescription: [{ reference: `MedicationRequest/${request.id}` }],
        quantity: request.dispenseRequest?.quantity,
        daysSupply: { ...request.dispenseRequest?.expectedSupplyDuration },
        dosageInstruction: request.dosageInstruction,
        receiver: [{ reference: `Patient/${patient.id}` }],
      };
      const prepared = await call<MedicationDispense>(core, logger, pharmacist, 'POST', 'MedicationDispense', dispense);
      const tracking = [{ system: `${dhc}/sid/cloud-pharmacy/delivery-tracking`, value: `SF${String(1_000_000_000 + n)}` }];
      const shipped = await call<MedicationDispense>(core, logger, pharmacist, 'PUT', `MedicationDispense/${prepared.id}`, { ...prepared, status: 'in-progress', identifier: tracking, whenPrepared: new Date().toISOString() });
      // The last few are still on their way when the seed ends.
      if (n < replayedPrescriptions - 4) {
        await call(core, logger, pharmacist, 'PUT', `MedicationDispense/${prepared.id}`, { ...shipped, status: 'completed', whenHandedOver: new Date().toISOString() });
      }
      outcome.dispensed++;
    }
  }
  return outcome;
}
