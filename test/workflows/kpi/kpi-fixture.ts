// A small hand-built network for the management figures: two clinics in two districts, one family-doctor
// team, four chronic patients and one who is not. Every figure the tests expect is worked out by hand
// from these resources (kpi.test.ts and cohort.test.ts).
import type { CareTeam, Condition, Group, Observation, Organization, Patient, Resource } from '@medplum/fhirtypes';
import path from 'node:path';
import { loadContentDirectory } from '../../../server/content/content-loader';
import type { ResourceStore } from '../../../server/store/port';

const loinc = 'http://loinc.org';
const icd10 = 'http://hl7.org/fhir/sid/icd-10';
const followUpType = 'https://fhir.dhc.example/CodeSystem/follow-up-visit-type';

function clinic(id: string, district: string): Organization {
  return { resourceType: 'Organization', id, name: `${district} clinic`, address: [{ district }] };
}

function patient(id: string, organization: string, birthDate: string, gp?: string): Patient {
  return {
    resourceType: 'Patient',
    id,
    birthDate,
    managingOrganization: { reference: `Organization/${organization}` },
    ...(gp ? { generalPractitioner: [{ reference: `PractitionerRole/${gp}` }] } : {}),
  };
}

const clinical = (code: string): Condition['clinicalStatus'] => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code }] });
const verification = (code: string): Condition['verificationStatus'] => ({ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code }] });

function condition(id: string, pid: string, code: string, status: Partial<Condition> = {}): Condition {
  return { resourceType: 'Condition', id, subject: { reference: `Patient/${pid}` }, code: { coding: [{ system: icd10, code }] }, ...status };
}

let counter = 0;
function followUp(pid: string, disease: 'hypertension' | 'diabetes', date: string): Observation {
  const code = disease === 'hypertension' ? 'hypertension-follow-up' : 'type-2-diabetes-follow-up';
  return { resourceType: 'Observation', id: `fu-${++counter}`, status: 'final', subject: { reference: `Patient/${pid}` }, code: { coding: [{ system: followUpType, code }] }, effectiveDateTime: `${date}T09:00:00+08:00` };
}

function bloodPressure(pid: string, date: string, systolic: number, diastolic: number): Observation {
  const component = (code: string, value: number): NonNullable<Observation['component']>[number] => ({
    code: { coding: [{ system: loinc, code }] },
    valueQuantity: { value, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
  });
  return {
    resourceType: 'Observation',
    id: `bp-${++counter}`,
    status: 'final',
    subject: { reference: `Patient/${pid}` },
    code: { coding: [{ system: loinc, code: '85354-9' }] },
    effectiveDateTime: `${date}T09:05:00+08:00`,
    component: [component('8480-6', systolic), component('8462-4', diastolic)],
  };
}

function glucose(pid: string, date: string, value: number): Observation {
  return {
    resourceType: 'Observation',
    id: `glu-${++counter}`,
    status: 'final',
    subject: { reference: `Patient/${pid}` },
    code: { coding: [{ system: loinc, code: '14770-2' }] },
    effectiveDateTime: `${date}T09:06:00+08:00`,
    valueQuantity: { value, unit: 'mmol/L', system: 'http://unitsofmeasure.org', code: 'mmol/L' },
  };
}

const dates = (year: number, n: number): string[] => ['02-10', '05-10', '08-10', '11-10', '12-10'].slice(0, n).map((d) => `${year}-${d}`);

/**
 * p1 hypertension, clinic A (临江区), born 1960-06-01: 65 at the end of 2025, 64 at the end of 2024; team A.
 *    2025: 4 follow-ups; blood pressure 160/95 in March, 145/85 on 1 November (latest: on target, 150/90 from 65).
 *    2024: 2 follow-ups; 150/88 in October (latest: not on target, 140/90 at 64).
 * p2 hypertension and diabetes, clinic A, born 1980-01-01 (45); team A.
 *    2025: 4 hypertension and 3 diabetes follow-ups; 138/88 on 1 December (on target); glucose 8.0 in June, 6.5 on 1 December (on target).
 *    2024: 4 and 4 follow-ups; 142/80 (not on target); glucose 7.5 (not on target).
 * p3 diabetes, clinic B (青山区), born 1950-05-05.
 *    2025: 5 diabetes follow-ups; glucose 7.0 (not below 7.0: not on target).  2024: 1 follow-up; glucose 6.0 (on target).
 * p4 hypertension, clinic B, born 1970-02-02 (55).
 *    2025: 1 follow-up, no blood pressure (not controlled).  2024: 3 follow-ups; 130/80 (on target).
 * p5 asthma only (J45.9): in no population, although it has a hypertension follow-up.
 * The diagnoses' statuses: p1's hypertension is active and confirmed, p2's a recurrence, the others have
 *    none (current: not abated). p6-p9 (clinic A) each have a hypertension diagnosis that is not current,
 *    and 4 follow-ups and a blood pressure on target in 2025 that would change every figure if counted:
 *    p6 resolved (abated 2025-03-01), p7 entered in error, p8 active but refuted, p9 without a status but
 *    abated ("2024年底", a string).
 * Groups: group-a (clinic A manages it) lists p1, p4, p6 and p3 as an inactive member; group-b, managed
 *    by no one, lists p2; group-devices is a Group of devices.
 */
export function kpiNetwork(): Resource[] {
  counter = 0;
  const team: CareTeam = {
    resourceType: 'CareTeam',
    id: 'team-a',
    participant: [{ member: { reference: 'PractitionerRole/gp-a' } }],
    managingOrganization: [{ reference: 'Organization/clinic-a' }],
  };
  const member = (pid: string, inactive = false): NonNullable<Group['member']>[number] => ({ entity: { reference: `Patient/${pid}` }, ...(inactive ? { inactive } : {}) });
  const groups: Group[] = [
    { resourceType: 'Group', id: 'group-a', type: 'person', actual: true, managingEntity: { reference: 'Organization/clinic-a' }, member: [member('p1'), member('p4'), member('p6'), member('p3', true)] },
    { resourceType: 'Group', id: 'group-b', type: 'person', actual: true, member: [member('p2')] },
    { resourceType: 'Group', id: 'group-devices', type: 'device', actual: true },
  ];
  return [
    ...groups,
    clinic('clinic-a', '临江区'),
    clinic('clinic-b', '青山区'),
    team,
    patient('p1', 'clinic-a', '1960-06-01', 'gp-a'),
    patient('p2', 'clinic-a', '1980-01-01', 'gp-a'),
    patient('p3', 'clinic-b', '1950-05-05'),
    patient('p4', 'clinic-b', '1970-02-02'),
    patient('p5', 'clinic-b', '1975-03-03'),
    condition('p1-htn', 'p1', 'I10', { clinicalStatus: clinical('active'), verificationStatus: verification('confirmed') }),
    condition('p2-htn', 'p2', 'I11.9', { clinicalStatus: clinical('recurrence') }),
    condition('p2-t2dm', 'p2', 'E11.9'),
    condition('p3-t2dm', 'p3', 'E11.9'),
    condition('p4-htn', 'p4', 'I10'),
    condition('p5-asthma', 'p5', 'J45.9'),
    ...dates(2025, 4).map((d) => followUp('p1', 'hypertension', d)),
    ...dates(2024, 2).map((d) => followUp('p1', 'hypertension', d)),
    bloodPressure('p1', '2025-03-01', 160, 95),
    bloodPressure('p1', '2025-11-01', 145, 85),
    bloodPressure('p1', '2024-10-01', 150, 88),
    ...dates(2025, 4).map((d) => followUp('p2', 'hypertension', d)),
    ...dates(2025, 3).map((d) => followUp('p2', 'diabetes', d)),
    ...dates(2024, 4).map((d) => followUp('p2', 'hypertension', d)),
    ...dates(2024, 4).map((d) => followUp('p2', 'diabetes', d)),
    bloodPressure('p2', '2025-12-01', 138, 88),
    bloodPressure('p2', '2024-12-01', 142, 80),
    glucose('p2', '2025-06-01', 8.0),
    glucose('p2', '2025-12-01', 6.5),
    glucose('p2', '2024-12-01', 7.5),
    ...dates(2025, 5).map((d) => followUp('p3', 'diabetes', d)),
    ...dates(2024, 1).map((d) => followUp('p3', 'diabetes', d)),
    glucose('p3', '2025-09-01', 7.0),
    glucose('p3', '2024-09-01', 6.0),
    followUp('p4', 'hypertension', '2025-04-01'),
    ...dates(2024, 3).map((d) => followUp('p4', 'hypertension', d)),
    bloodPressure('p4', '2024-05-01', 130, 80),
    followUp('p5', 'hypertension', '2025-04-01'),
    ...notCurrent(),
  ];
}

function notCurrent(): Resource[] {
  const statuses: [string, Partial<Condition>][] = [
    ['p6', { clinicalStatus: clinical('resolved'), abatementDateTime: '2025-03-01' }],
    ['p7', { verificationStatus: verification('entered-in-error') }],
    ['p8', { clinicalStatus: clinical('active'), verificationStatus: verification('refuted') }],
    ['p9', { abatementString: '2024年底' }],
  ];
  return statuses.flatMap(([pid, status]) => [
    patient(pid, 'clinic-a', '1970-07-07'),
    condition(`${pid}-htn`, pid, 'I10', status),
    ...dates(2025, 4).map((d) => followUp(pid, 'hypertension', d)),
    bloodPressure(pid, '2025-06-01', 120, 70),
  ]);
}

/** Writes the network (and the shipped Measures) into the store, as they are. */
export async function loadKpiNetwork(store: ResourceStore, withMeasures = true): Promise<void> {
  for (const resource of kpiNetwork()) {
    await store.create(resource);
  }
  if (withMeasures) {
    await loadContentDirectory(store, path.resolve('profiles/measures'));
  }
}
