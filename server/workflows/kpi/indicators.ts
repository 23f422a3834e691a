// The national primary-care chronic-disease indicators the Measures in profiles/measures/ define, as the
// cohort requests they compute from: who is under management for a disease, how many follow-ups the
// standardized-management rule asks for, and the guideline targets of the control rates. docs/kpi.md names
// the sources (国家基本公共卫生服务规范（第三版）; 国家基层高血压防治管理指南 2020; 国家基层糖尿病防治管理指南 2022).
import type { SystemCode } from '../../search/plan';
import type { CodedResources, CohortValue } from '../../store/cohort-port';

const icd10 = 'http://hl7.org/fhir/sid/icd-10';
const icd10cn = 'https://fhir.dhc.example/CodeSystem/icd-10-cn-clinical-2.0';
const loinc = 'http://loinc.org';
const followUpVisitType = 'https://fhir.dhc.example/CodeSystem/follow-up-visit-type';

export type Disease = 'hypertension' | 'diabetes';

const codes = (system: string, list: string[]): SystemCode[] => list.map((code) => ({ system, code }));

/** The diagnoses that put a patient under management for the disease (ICD-10 and the national clinical version 2.0). */
const diagnoses: Record<Disease, SystemCode[]> = {
  hypertension: [
    ...codes(icd10, ['I10', 'I11.0', 'I11.9', 'I12.0', 'I12.9', 'I13.0', 'I13.1', 'I13.2', 'I13.9', 'I15.0', 'I15.1', 'I15.2', 'I15.8', 'I15.9']),
    ...codes(icd10cn, ['I10.x00', 'I11.900', 'I15.900']),
  ],
  diabetes: [
    ...codes(icd10, ['E11.0', 'E11.1', 'E11.2', 'E11.3', 'E11.4', 'E11.5', 'E11.6', 'E11.7', 'E11.8', 'E11.9']),
    ...codes(icd10cn, ['E11.900']),
  ],
};

const conditionClinical = 'http://terminology.hl7.org/CodeSystem/condition-clinical';
const conditionVerification = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/**
 * A current diagnosis (https://hl7.org/fhir/R4/condition.html#statuses): clinical status active,
 * recurrence or relapse; or no clinical status and no abatement. R4 allows the status to be absent
 * (con-3 asks for it only on problem-list items; con-5 forbids it when entered-in-error), and con-4 lets
 * an abated condition carry only inactive, resolved or remission: so a condition without a status is
 * current unless it records an abatement. Never a diagnosis entered in error or refuted.
 */
const current: Pick<CodedResources, 'require' | 'exclude'> = {
  require: [
    {
      anyOf: { param: 'clinical-status', codes: codes(conditionClinical, ['active', 'recurrence', 'relapse']) },
      orWithout: [
        { param: 'clinical-status', type: 'token' },
        { param: 'abatement-date', type: 'date' },
        { param: 'abatement-age', type: 'quantity' },
        { param: 'abatement-string', type: 'string' },
      ],
    },
  ],
  exclude: [{ param: 'verification-status', codes: codes(conditionVerification, ['entered-in-error', 'refuted']) }],
};

/** The patients a current Condition with one of the disease's diagnoses refers to. */
export function diseasePopulation(disease: Disease): CodedResources {
  return { resourceType: 'Condition', patientParam: 'subject', codeParam: 'code', codes: diagnoses[disease], ...current };
}

/** The follow-up panels (Observation, one per disease per visit: seed/patients/follow-ups.ts) that record a face-to-face follow-up. */
export function followUps(disease: Disease): CodedResources {
  const code = disease === 'hypertension' ? 'hypertension-follow-up' : 'type-2-diabetes-follow-up';
  return { resourceType: 'Observation', patientParam: 'subject', codeParam: 'code', codes: [{ system: followUpVisitType, code }] };
}

/** The national rule: at least 4 face-to-face follow-ups a year (one a quarter). */
export const followUpsPerYear = 4;

/** Blood pressure panels, and their systolic and diastolic components. */
export const bloodPressure: { source: CodedResources; values: CohortValue[] } = {
  source: { resourceType: 'Observation', patientParam: 'subject', codeParam: 'code', codes: [{ system: loinc, code: '85354-9' }] },
  values: [
    { name: 'systolic', kind: 'component', param: 'component-code-value-quantity', code: { system: loinc, code: '8480-6' } },
    { name: 'diastolic', kind: 'component', param: 'component-code-value-quantity', code: { system: loinc, code: '8462-4' } },
  ],
};

/** Fasting glucose in mmol/L: capillary (glucometer and lab) and serum/plasma; the mass codes (mg/dL) are not China's unit. */
export const fastingGlucose: { source: CodedResources; values: CohortValue[] } = {
  source: { resourceType: 'Observation', patientParam: 'subject', codeParam: 'code', codes: codes(loinc, ['14770-2', '14743-9', '14771-0']) },
  values: [{ name: 'glucose', kind: 'quantity', param: 'value-quantity' }],
};

/**
 * Blood pressure on target (国家基层高血压防治管理指南 2020): below 140/90 mmHg; from 65 years below 150/90
 * (65-79 years "150/90, 140/90 if tolerated", 80 and over 150/90). The tighter 130/80 for patients with
 * diabetes or kidney disease is "if tolerated" and is not the indicator's target.
 */
export function bloodPressureOnTarget(age: number, systolic: number, diastolic: number): boolean {
  const systolicBelow = age >= 65 ? 150 : 140;
  return systolic < systolicBelow && diastolic < 90;
}

/** Fasting glucose on target (国家基层糖尿病防治管理指南 2022: fasting capillary glucose 4.4-7.0 mmol/L; the indicator counts below 7.0). */
export function glucoseOnTarget(glucose: number): boolean {
  return glucose < 7.0;
}

export type IndicatorKind = 'under-management' | 'standardized-management' | 'control';

export interface Indicator {
  /** The Measure's id in profiles/measures/ (and its url's last segment). */
  measureId: string;
  disease: Disease;
  kind: IndicatorKind;
}

export const indicators: readonly Indicator[] = [
  { measureId: 'hypertension-under-management', disease: 'hypertension', kind: 'under-management' },
  { measureId: 'diabetes-under-management', disease: 'diabetes', kind: 'under-management' },
  { measureId: 'hypertension-standardized-management', disease: 'hypertension', kind: 'standardized-management' },
  { measureId: 'diabetes-standardized-management', disease: 'diabetes', kind: 'standardized-management' },
  { measureId: 'blood-pressure-control', disease: 'hypertension', kind: 'control' },
  { measureId: 'blood-glucose-control', disease: 'diabetes', kind: 'control' },
];

export const measureBase = 'https://fhir.dhc.example/Measure/';

/** The indicator a Measure computes, by its canonical url. */
export function indicatorOf(measureUrl: string | undefined): Indicator | undefined {
  return indicators.find((i) => `${measureBase}${i.measureId}` === measureUrl);
}
