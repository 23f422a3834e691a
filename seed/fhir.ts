// Small builders for the seed's FHIR resources: the code systems and profiles they use, codings,
// quantities, references and local date-times.
import type { CodeableConcept, Coding, Meta, Quantity } from '@medplum/fhirtypes';

const base = 'https://fhir.dhc.example';

export const systems = {
  loinc: 'http://loinc.org',
  ucum: 'http://unitsofmeasure.org',
  icd10: 'http://hl7.org/fhir/sid/icd-10',
  icd10cn: `${base}/CodeSystem/icd-10-cn-clinical-2.0`,
  residentId: 'urn:oid:2.16.156.10011.1.3',
  healthRecord: 'urn:oid:2.16.156.10011.1.2',
  institutionCode: 'urn:oid:2.16.156.10011.1.5',
  uscc: `${base}/sid/uscc`,
  organizationType: `${base}/CodeSystem/organization-type`,
  qualification: `${base}/CodeSystem/practitioner-qualification`,
  formulary: `${base}/CodeSystem/formulary`,
  route: `${base}/CodeSystem/route-of-administration`,
  homeCareService: `${base}/CodeSystem/home-care-service`,
  reviewStatus: `${base}/CodeSystem/prescription-review-status`,
  recognitionScope: `${base}/CodeSystem/recognition-scope`,
  eqaStatus: `${base}/CodeSystem/eqa-status`,
  followUpVisitType: `${base}/CodeSystem/follow-up-visit-type`,
  practitionerRole: 'http://terminology.hl7.org/CodeSystem/practitioner-role',
  observationCategory: 'http://terminology.hl7.org/CodeSystem/observation-category',
  v2_0074: 'http://terminology.hl7.org/CodeSystem/v2-0074',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  roleCode: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode',
  taskCode: 'http://hl7.org/fhir/CodeSystem/task-code',
  conditionClinical: 'http://terminology.hl7.org/CodeSystem/condition-clinical',
  conditionVerification: 'http://terminology.hl7.org/CodeSystem/condition-ver-status',
  conditionCategory: 'http://terminology.hl7.org/CodeSystem/condition-category',
  snomed: 'http://snomed.info/sct',
} as const;

export const extensionUrl = (id: string): string => `${base}/StructureDefinition/${id}`;

/** meta claiming one of the network's profiles. */
export function profileMeta(profileId: string): Meta {
  return { profile: [`${base}/StructureDefinition/${profileId}`] };
}

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function concept(system: string, code: string, display?: string, text?: string): CodeableConcept {
  const result: CodeableConcept = { coding: [coding(system, code, display)] };
  if (text !== undefined) {
    result.text = text;
  }
  return result;
}

export function quantity(value: number, code: string, unit = code): Quantity {
  return { value, unit, system: systems.ucum, code };
}

/** A literal reference, assignable to a Reference of any target type. */
export function ref(resourceType: string, id: string, display?: string): { reference: string; display?: string } {
  return display === undefined ? { reference: `${resourceType}/${id}` } : { reference: `${resourceType}/${id}`, display };
}

/** A local (+08:00) date-time from milliseconds of local clock time kept as if UTC. */
export function localDateTime(localMs: number): string {
  return `${new Date(localMs).toISOString().slice(0, 19)}+08:00`;
}

export function localDate(localMs: number): string {
  return new Date(localMs).toISOString().slice(0, 10);
}

export const minute = 60_000;
export const day = 86_400_000;

export function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

export function clamp(value: number, low: number, high: number): number {
  return Math.min(high, Math.max(low, value));
}
