// One generated patient's record: the Patient, chronic Conditions, quarterly follow-up Encounters with
// vital signs and lab Observations, and MedicationRequests. Deterministic for a patient index and seed;
// ids are derived from the index, so every search value a workload needs can be computed, not stored.
import type {
  Condition,
  Encounter,
  MedicationRequest,
  Observation,
  Patient,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { SeededRandom } from './random';
import { residentId } from './resident-id';

export const loinc = 'http://loinc.org';
export const ucum = 'http://unitsofmeasure.org';
export const icd10 = 'http://hl7.org/fhir/sid/icd-10';
export const residentIdSystem = 'urn:oid:2.16.156.10011.1.3';

export const codes = {
  bpPanel: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  weight: '29463-7',
  fastingGlucose: '14771-0',
  hba1c: '4548-4',
} as const;

const familyNames = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '罗', '高'];
const familyPinyin = ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Luo', 'Gao'];
const givenNames = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞'];
const districts = ['和平区', '河东区', '河西区', '南开区', '河北区', '红桥区', '东丽区', '西青区', '津南区', '北辰区', '武清区', '宝坻区', '滨海新区', '宁河区', '静海区', '蓟州区'];
const drugs = [
  { code: 'C09CA01', display: 'losartan' },
  { code: 'C08CA01', display: 'amlodipine' },
  { code: 'A10BA02', display: 'metformin' },
  { code: 'C10AA05', display: 'atorvastatin' },
];

/** Follow-up visits per patient: quarterly over two years. */
export const visitsPerPatient = 8;
const firstVisit = Date.UTC(2024, 0, 8);
const quarterMs = 91 * 24 * 3600 * 1000;

export function patientId(index: number): string {
  return `bench-p${index}`;
}

/** The family name of a patient index, e.g. for Patient?name= workloads. */
export function familyName(index: number): string {
  return familyNames[index % familyNames.length];
}

export function familyNamePinyin(index: number): string {
  return familyPinyin[index % familyPinyin.length];
}

function birthDate(rng: SeededRandom): string {
  const year = rng.int(1940, 1988);
  const month = rng.int(1, 12);
  const day = rng.int(1, 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The resident ID of a patient index, recomputable without generating the record. */
export function patientResidentId(index: number, seed: number): string {
  const rng = new SeededRandom(seed * 1_000_003 + index);
  const male = rng.chance(0.5);
  return residentId(birthDate(rng), index, male);
}

/** The first day of a quarter's follow-up window; each patient is seen some days into it. */
export function visitDate(visit: number): string {
  return new Date(firstVisit + visit * quarterMs).toISOString().slice(0, 10);
}

/** A clinic visit some days into the quarter's window, during opening hours (08:00-16:59, +08:00). */
function visitStart(visit: number, rng: SeededRandom): Date {
  const day = rng.int(0, 59);
  const minute = rng.int(0, 9 * 60 - 1);
  return new Date(firstVisit + visit * quarterMs + day * 86_400_000 + minute * 60_000);
}

/** A local (+08:00) dateTime, as the clinics' systems write it. */
function localDateTime(utcOfLocal: Date, plusMinutes = 0): string {
  const t = new Date(utcOfLocal.getTime() + plusMinutes * 60_000);
  return `${t.toISOString().slice(0, 19)}+08:00`;
}

function quantity(value: number, unit: string): Observation['valueQuantity'] {
  return { value, unit, system: ucum, code: unit };
}

function coded(system: string, code: string, display: string): { coding: { system: string; code: string; display: string }[]; text: string } {
  return { coding: [{ system, code, display }], text: display };
}

/** Every resource of one patient, in an order where each reference points at an earlier resource. */
export function patientRecord(index: number, seed: number): Resource[] {
  const rng = new SeededRandom(seed * 1_000_003 + index);
  const male = rng.chance(0.5);
  const born = birthDate(rng);
  const pid = patientId(index);
  const subject: Reference<Patient> = { reference: `Patient/${pid}` };
  const hypertensive = rng.chance(0.71);
  const diabetic = !hypertensive || rng.chance(0.2);
  const resources: Resource[] = [];

  const patient: Patient = {
    resourceType: 'Patient',
    id: pid,
    identifier: [{ system: residentIdSystem, value: residentId(born, index, male) }],
    name: [
      { use: 'official', text: familyName(index) + rng.pick(givenNames), family: familyName(index) },
      { use: 'usual', family: familyNamePinyin(index) },
    ],
    gender: male ? 'male' : 'female',
    birthDate: born,
    telecom: [{ system: 'phone', value: `139${String(index).padStart(8, '0')}`, use: 'mobile' }],
    address: [{ use: 'home', city: '天津市', district: rng.pick(districts), country: 'CN' }],
  };
  resources.push(patient);
  if (hypertensive) {
    resources.push(condition(pid, 'ht', 'I10', 'Essential (primary) hypertension', subject));
  }
  if (diabetic) {
    resources.push(condition(pid, 'dm', 'E11.9', 'Type 2 diabetes mellitus without complications', subject));
  }

  let systolic = rng.normal(hypertensive ? 150 : 128, 10);
  let glucose = rng.normal(diabetic ? 8.2 : 5.4, 0.8);
  const weight = rng.normal(male ? 72 : 62, 9);
  for (let visit = 0; visit < visitsPerPatient; visit++) {
    // The clock reading is local time: 08:00 + minute, kept in the UTC fields and labelled +08:00.
    const start = new Date(visitStart(visit, rng).getTime() + 8 * 3_600_000);
    const encounterId = `${pid}-e${visit}`;
    const encounter: Encounter = {
      resourceType: 'Encounter',
      id: encounterId,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
      type: [coded('http://snomed.info/sct', '390906007', 'Follow-up encounter')],
      subject,
      period: { start: localDateTime(start), end: localDateTime(start, 20) },
    };
    resources.push(encounter);
    const context = { subject, encounter: { reference: `Encounter/${encounterId}` } };
    const effective = localDateTime(start, 5);
    // Treatment slowly brings values toward target, with noise.
    systolic = systolic - rng.normal(1.5, 2);
    glucose = glucose - rng.normal(0.1, 0.15);
    resources.push({
      resourceType: 'Observation',
      id: `${encounterId}-bp`,
      status: 'final',
      category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs', 'Vital Signs')],
      code: coded(loinc, codes.bpPanel, 'Blood pressure panel with all children optional'),
      ...context,
      effectiveDateTime: effective,
      component: [
        { code: coded(loinc, codes.systolic, 'Systolic blood pressure'), valueQuantity: quantity(Math.round(systolic), 'mm[Hg]') },
        {
          code: coded(loinc, codes.diastolic, 'Diastolic blood pressure'),
          valueQuantity: quantity(Math.round(systolic * 0.62 + rng.normal(0, 4)), 'mm[Hg]'),
        },
      ],
    } as Observation);
    resources.push({
      resourceType: 'Observation',
      id: `${encounterId}-wt`,
      status: 'final',
      category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'vital-signs', 'Vital Signs')],
      code: coded(loinc, codes.weight, 'Body weight'),
      ...context,
      effectiveDateTime: effective,
      valueQuantity: quantity(Math.round((weight + rng.normal(0, 1)) * 10) / 10, 'kg'),
    } as Observation);
    if (diabetic) {
      resources.push(labObservation(`${encounterId}-glu`, codes.fastingGlucose, 'Fasting glucose [Moles/volume] in Serum or Plasma', round1(glucose), 'mmol/L', context, effective));
      if (visit % 2 === 1) {
        resources.push(labObservation(`${encounterId}-a1c`, codes.hba1c, 'Hemoglobin A1c/Hemoglobin.total in Blood', round1(glucose * 0.8 + 1.2), '%', context, effective));
      }
    }
    const prescribed = [hypertensive ? drugs[rng.int(0, 1)] : undefined, diabetic ? drugs[2] : undefined].filter(
      (d): d is (typeof drugs)[number] => d !== undefined
    );
    prescribed.forEach((drug, n) => resources.push(medicationRequest(`${encounterId}-rx${n}`, drug, context, localDateTime(start, 15))));
  }
  return resources;
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

function condition(pid: string, suffix: string, code: string, display: string, subject: Reference<Patient>): Condition {
  return {
    resourceType: 'Condition',
    id: `${pid}-${suffix}`,
    clinicalStatus: coded('http://terminology.hl7.org/CodeSystem/condition-clinical', 'active', 'Active'),
    verificationStatus: coded('http://terminology.hl7.org/CodeSystem/condition-ver-status', 'confirmed', 'Confirmed'),
    category: [coded('http://terminology.hl7.org/CodeSystem/condition-category', 'problem-list-item', 'Problem List Item')],
    code: coded(icd10, code, display),
    subject,
    onsetDateTime: '2020-06-01',
  };
}

function labObservation(
  id: string,
  code: string,
  display: string,
  value: number,
  unit: string,
  context: { subject: Reference<Patient>; encounter: Reference<Encounter> },
  effective: string
): Observation {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    category: [coded('http://terminology.hl7.org/CodeSystem/observation-category', 'laboratory', 'Laboratory')],
    code: coded(loinc, code, display),
    ...context,
    effectiveDateTime: effective,
    valueQuantity: quantity(value, unit),
  };
}

function medicationRequest(
  id: string,
  drug: { code: string; display: string },
  context: { subject: Reference<Patient>; encounter: Reference<Encounter> },
  authoredOn: string
): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    id,
    status: 'active',
    intent: 'order',
    medicationCodeableConcept: coded('http://www.whocc.no/atc', drug.code, drug.display),
    ...context,
    authoredOn,
    dosageInstruction: [{ text: 'once daily', timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } } }],
    dispenseRequest: { expectedSupplyDuration: { value: 28, unit: 'days', system: ucum, code: 'd' } },
  };
}
