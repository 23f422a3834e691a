// Cloud-pharmacy prescriptions: a patient who uses the cloud pharmacy renews one prescription per
// condition online at the clinic; "software plus pharmacist" reviews it (a Task, traceable); only an
// approved prescription is dispensed (a MedicationDispense), delivered home (with the courier's tracking
// number) or picked up at the clinic or one of its sites. Long prescriptions (up to 12 weeks) name the
// condition, and above 4 weeks the documented evaluation (a ClinicalImpression).
// What is emitted is the workflow's history as the write rules (server/workflows/pharmacy) accept it:
// a decided prescription comes with its review Task, completed by a pharmacist of the cloud pharmacy
// with the decision in its output (and the reason of a rejection or return), in the same transaction;
// a rejected one is cancelled, a returned one on hold; a recent one is still waiting, its Task requested
// and owned by a pharmacist (the rule then records the pre-screen's findings for it).
import type { ClinicalImpression, Dosage, Extension, MedicationDispense, MedicationRequest, Resource, Task } from '@medplum/fhirtypes';
import { concept, day, extensionUrl, localDateTime, minute, profileMeta, quantity, ref, systems } from '../fhir';
import type { SeededRandom } from '../random';
import { weightedPick } from '../random';
import { caseMix, cloudPrescriptionsPerPatient, homeDeliveryShare, windowEnd, windowStart } from './case-mix';
import { antidiabetics, antihypertensives, type Drug } from './drugs';
import type { ChronicCondition, PatientContext } from './patient-record';

/** Renewals per cloud-pharmacy user over the two years: 1 to 8, 4.5 on average. */
const maxRenewals = 8;
/** Share of patients using the cloud pharmacy, so that prescriptions per patient match the network's. */
export const cloudPharmacyUserShare = cloudPrescriptionsPerPatient / (((1 + maxRenewals) / 2) * (1 + caseMix.both));

/** Assumed supply durations: 20% normal prescriptions (7 days), the rest long prescriptions. */
const durations: readonly (readonly [number, number])[] = [
  [7, 20],
  [28, 52],
  [56, 20],
  [84, 8],
];
const reviewOutcomes: readonly (readonly [string, string, number])[] = [
  ['approved', 'Approved by pharmacist', 95.5],
  ['rejected', 'Rejected', 1.5],
  ['returned-for-revision', 'Returned for revision', 3],
];
/** The pharmacist's reasons for a rejection or a return (assumed). */
const reasons: Record<string, string> = { rejected: '诊断与用药不符', 'returned-for-revision': '请补充诊断或调整用量后重新提交' };
/** The review Task's code in the network's workflow codes, and its decision output. */
const reviewTaskSystem = 'https://fhir.dhc.example/CodeSystem/cloud-pharmacy-task';
const trackingSystem = 'https://fhir.dhc.example/sid/cloud-pharmacy/delivery-tracking';

export function cloudPrescriptions(context: PatientContext): Resource[] {
  const rng = context.stream('pharmacy');
  if (!rng.chance(cloudPharmacyUserShare)) {
    return [];
  }
  const regimen: [ChronicCondition, Drug][] = [];
  if (context.hypertension) {
    regimen.push([context.hypertension, weightedPick(rng, antihypertensives, (d) => d.weight)]);
  }
  if (context.diabetes) {
    regimen.push([context.diabetes, weightedPick(rng, antidiabetics, (d) => d.weight)]);
  }
  const renewals = Array.from({ length: rng.int(1, maxRenewals) }, () => windowStart + rng.int(0, 729) * day + rng.int(9 * 60, 17 * 60) * minute).sort((a, b) => a - b);
  const resources: Resource[] = [];
  let n = 0;
  for (const authored of renewals) {
    for (const [condition, drug] of regimen) {
      resources.push(...prescription(context, `${context.id}-rx${n++}`, authored, condition, drug, rng));
    }
  }
  return resources;
}

function prescription(context: PatientContext, id: string, authored: number, condition: ChronicCondition, drug: Drug, rng: SeededRandom): Resource[] {
  const { clinic, team, network } = context;
  const pharmacy = network.cloudPharmacy;
  const pharmacist = rng.pick(pharmacy.pharmacists);
  const days = weightedPick(rng, durations, (d) => d[1])[0];
  const recent = windowEnd - authored < 2 * day;
  const [status, statusDisplay] = recent ? ['pending', 'Pending review'] : weightedPick(rng, reviewOutcomes, (o) => o[2]);
  const approved = status === 'approved';
  const reviewedOn = authored + rng.int(8, 90) * minute;
  const delivered = rng.chance(homeDeliveryShare);
  const pickup = rng.chance(0.5) || clinic.sites.length === 0 ? { id: clinic.id, name: clinic.name } : rng.pick(clinic.sites);
  const delivery: Extension = delivered
    ? { url: extensionUrl('home-address'), valueAddress: context.home }
    : { url: extensionUrl('pickup-location'), valueReference: ref('Organization', pickup.id, pickup.name) };
  const review: Extension = {
    url: extensionUrl('prescription-review'),
    extension: [
      { url: 'status', valueCodeableConcept: concept(systems.reviewStatus, status, statusDisplay) },
      { url: 'task', valueReference: ref('Task', `${id}-review`) },
      ...(recent ? [] : [{ url: 'reviewer', valueReference: ref('PractitionerRole', pharmacist.roleId) }, { url: 'reviewedOn', valueDateTime: localDateTime(reviewedOn) }]),
    ],
  };
  const resources: Resource[] = [];
  const extension: Extension[] = [review];
  if (days > 7) {
    const long: Extension = { url: extensionUrl('long-prescription'), extension: [{ url: 'condition', valueReference: ref('Condition', condition.id) }] };
    if (days > 28) {
      const evaluation: ClinicalImpression = {
        resourceType: 'ClinicalImpression',
        id: `${id}-eval`,
        status: 'completed',
        description: '长期处方病情稳定性评估',
        subject: ref('Patient', context.id),
        date: localDateTime(authored - 5 * minute),
        assessor: ref('PractitionerRole', team.generalPractitioner.roleId),
        problem: [ref('Condition', condition.id, condition.display)],
        summary: `病情稳定，用药方案未变，评估适合${days / 7}周长期处方。`,
      };
      resources.push(evaluation);
      long.extension!.push({ url: 'evaluation', valueReference: ref('ClinicalImpression', evaluation.id!) });
    }
    extension.push(long);
  }
  extension.push(delivery);
  const units = drug.perDose * drug.perDay * days;
  const unitText = drug.unit === '{tablet}' ? '片' : '粒';
  const dosage: Dosage = {
    text: `每日${drug.perDay}次，每次${drug.perDose}${unitText}，口服`,
    timing: { repeat: { frequency: drug.perDay, period: 1, periodUnit: 'd' } },
    route: concept(systems.route, 'oral', 'Oral', '口服'),
    doseAndRate: [{ doseQuantity: quantity(drug.perDose, drug.unit, unitText) }],
  };
  const medication = concept(systems.formulary, drug.code, drug.display, drug.text);
  const subject = ref('Patient', context.id, context.name.family + context.name.given);
  const date = localDateTime(authored).slice(0, 10).replaceAll('-', '');
  const request: MedicationRequest = {
    resourceType: 'MedicationRequest',
    id,
    meta: profileMeta('dhc-cloud-prescription'),
    extension,
    identifier: [{ system: 'https://fhir.dhc.example/sid/cloud-pharmacy/rx', value: `RX-${date}-${id.slice(4)}` }],
    status: recent ? 'draft' : status === 'rejected' ? 'cancelled' : status === 'returned-for-revision' ? 'on-hold' : authored + days * day < windowEnd ? 'completed' : 'active',
    intent: 'order',
    medicationCodeableConcept: medication,
    subject,
    authoredOn: localDateTime(authored),
    requester: ref('PractitionerRole', team.generalPractitioner.roleId, `${team.generalPractitioner.name.family}${team.generalPractitioner.name.given}`),
    reasonReference: [ref('Condition', condition.id, condition.display)],
    insurance: [ref('Coverage', context.coverageId)],
    dosageInstruction: [dosage],
    dispenseRequest: {
      quantity: quantity(units, drug.unit, unitText),
      expectedSupplyDuration: quantity(days, 'd', '天'),
      performer: ref('Organization', pharmacy.id, pharmacy.name),
    },
  };
  const task: Task = {
    resourceType: 'Task',
    id: `${id}-review`,
    status: recent ? 'requested' : 'completed',
    businessStatus: { text: recent ? '待药师审核' : status === 'approved' ? '审核通过' : status === 'rejected' ? '审核不通过' : '退回修改' },
    intent: 'order',
    code: {
      coding: [
        { system: reviewTaskSystem, code: 'prescription-review', display: 'Pharmacist review of an online prescription' },
        { system: systems.taskCode, code: 'approve', display: 'Activate/approve the focal resource' },
      ],
      text: '处方审核',
    },
    description: '云药房处方审核：软件预审，药师终审',
    focus: ref('MedicationRequest', id),
    for: subject,
    authoredOn: localDateTime(authored + minute),
    requester: ref('PractitionerRole', team.generalPractitioner.roleId),
  };
  task.owner = ref('PractitionerRole', pharmacist.roleId);
  if (!recent) {
    task.executionPeriod = { start: localDateTime(authored + 2 * minute), end: localDateTime(reviewedOn) };
    task.output = [{ type: concept(reviewTaskSystem, 'review-decision', 'Review decision'), valueCodeableConcept: concept(systems.reviewStatus, status, statusDisplay) }];
    if (reasons[status]) {
      task.statusReason = { text: reasons[status] };
    }
  }
  resources.push(task, request);
  if (approved) {
    const prepared = reviewedOn + rng.int(60, 240) * minute;
    const handedOver = delivered ? prepared + day + rng.int(0, 8 * 60) * minute : prepared + rng.int(1, 3) * day;
    const dispense: MedicationDispense = {
      resourceType: 'MedicationDispense',
      id: `${id}-md`,
      meta: profileMeta('dhc-cloud-dispense'),
      extension: [delivery],
      status: handedOver < windowEnd ? 'completed' : 'in-progress',
      medicationCodeableConcept: medication,
      subject,
      performer: [{ actor: ref('Organization', pharmacy.id, pharmacy.name) }, { actor: ref('PractitionerRole', pharmacist.roleId) }],
      authorizingPrescription: [ref('MedicationRequest', id)],
      quantity: quantity(units, drug.unit, unitText),
      daysSupply: quantity(days, 'd', '天'),
      whenPrepared: localDateTime(prepared),
      receiver: [ref('Patient', context.id)],
      dosageInstruction: [dosage],
    };
    if (handedOver < windowEnd) {
      dispense.whenHandedOver = localDateTime(handedOver);
    }
    if (delivered) {
      // The courier's waybill number, from the prescription's own number (assumed format).
      dispense.identifier = [{ system: trackingSystem, value: `SF${date}${id.slice(4).replace(/\D/g, '').padStart(8, '0').slice(-8)}` }];
    }
    resources.push(dispense);
  }
  return resources;
}
