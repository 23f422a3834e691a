// The network's roles and what each may do beyond its scopes: which resource types it reads and writes,
// and whose records it sees (its population). Scopes say what an app may do; roles say what the person
// or organization behind it may do; a request needs both. See docs/smart.md, "Roles".
import { compartmentMembers } from '../../search/compartments';

export type RoleName = 'clinician' | 'hospital-doctor' | 'pharmacist' | 'nurse' | 'auditor' | 'administrator' | 'patient' | 'his-vendor';

/**
 * Whose records a role sees: 'organization' the patients of the caller's organizations (managed there,
 * with an encounter there, or referred there); 'assigned-tasks' the patients of the home-care orders
 * dispatched to the caller; 'own-record' the caller's own patient record; 'all' everyone.
 */
export type Population = 'organization' | 'assigned-tasks' | 'own-record' | 'all';

export interface RolePolicy {
  /** Patient data types the role reads: 'all' or a list. Reference data is readable by every role. */
  reads: 'all' | ReadonlySet<string>;
  /** Types the role creates, updates and deletes. */
  writes: 'all' | 'patient-data' | ReadonlySet<string>;
  population: Population;
}

/** Types whose resources belong to a patient's record: the R4 Patient compartment, plus Task (home-care orders). */
export function isPatientDataType(resourceType: string): boolean {
  return resourceType === 'Task' || compartmentMembers('Patient').has(resourceType);
}

/** Conformance resources: only the administrator creates or changes them. */
export const conformanceTypes: ReadonlySet<string> = new Set([
  'StructureDefinition', 'SearchParameter', 'ImplementationGuide', 'CodeSystem', 'ValueSet', 'ConceptMap', 'CapabilityStatement',
  'OperationDefinition', 'CompartmentDefinition', 'NamingSystem', 'StructureMap', 'GraphDefinition', 'TerminologyCapabilities',
]);

/** The network's directory: written by the administrator and by the HIS vendors' backend clients. */
export const directoryTypes: ReadonlySet<string> = new Set(['Organization', 'Practitioner', 'PractitionerRole', 'Location', 'HealthcareService', 'Endpoint']);

// ClinicalImpression and DocumentReference: the documented evaluation a long prescription over 4 weeks needs.
const prescriptionReview = new Set([
  'Patient', 'MedicationRequest', 'MedicationDispense', 'MedicationStatement', 'Condition', 'AllergyIntolerance', 'Observation',
  'DetectedIssue', 'Encounter', 'Coverage', 'Task', 'Provenance', 'ClinicalImpression', 'DocumentReference',
]);

export const rolePolicies: Record<RoleName, RolePolicy> = {
  clinician: { reads: 'all', writes: 'patient-data', population: 'organization' },
  'hospital-doctor': { reads: 'all', writes: 'patient-data', population: 'organization' },
  // The cloud pharmacy reviews the prescriptions of every clinic: all patients, but only what review needs.
  pharmacist: { reads: prescriptionReview, writes: new Set(['MedicationRequest', 'MedicationDispense', 'DetectedIssue', 'Task', 'Provenance', 'Communication']), population: 'all' },
  nurse: { reads: 'all', writes: new Set(['Task', 'Procedure', 'Observation', 'Encounter', 'Communication', 'DocumentReference', 'Provenance']), population: 'assigned-tasks' },
  auditor: { reads: 'all', writes: new Set(), population: 'all' },
  administrator: { reads: 'all', writes: 'all', population: 'all' },
  // Patients upload home readings, answer questionnaires and apply for home care.
  patient: { reads: 'all', writes: new Set(['Observation', 'QuestionnaireResponse', 'ServiceRequest', 'Communication']), population: 'own-record' },
  // An HIS vendor's system writes the records of the organizations it serves, and their directory entries.
  'his-vendor': { reads: 'all', writes: 'patient-data', population: 'organization' },
};

export function isRoleName(name: string): name is RoleName {
  return Object.hasOwn(rolePolicies, name);
}
