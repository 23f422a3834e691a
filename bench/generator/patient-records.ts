// The benchmark's view of the seed's patient generator (seed/patients): records by patient index, and
// the ids and search values its workloads compute without storing them.
import { systems } from '../../seed/fhir';
import { patientFamilyName } from '../../seed/patients/patient-record';

export { patientId, patientRecord, patientResidentId } from '../../seed/patients/patient-record';

export const loinc = systems.loinc;
export const residentIdSystem = systems.residentId;

export const codes = {
  bpPanel: '85354-9',
  systolic: '8480-6',
  diastolic: '8462-4',
  weight: '29463-7',
  fastingGlucose: '14770-2',
  hba1c: '4548-4',
} as const;

/** Every resource type a patient's record holds, for counting what is stored. */
export const patientResourceTypes = [
  'Patient', 'Coverage', 'Condition', 'Encounter', 'Observation', 'DiagnosticReport', 'MedicationRequest',
  'MedicationDispense', 'Task', 'ClinicalImpression', 'ServiceRequest',
] as const;

/** Follow-up visits every patient has (at least one a year), so Encounter `<patient id>-e0` and `-e1` always exist. */
export const guaranteedVisits = 2;

/** The pinyin family name of a patient index, e.g. for Patient?name= workloads. */
export function familyNamePinyin(index: number): string {
  return patientFamilyName(index).pinyin;
}
