// A small cloud-pharmacy network for the workflow tests: the cloud pharmacy with two pharmacists, a
// clinic with its general practitioner, a hypertensive patient of the clinic with a stability
// evaluation, on a test server holding the network's terminology and profiles, with role tokens.
import type { ClinicalImpression, Condition, MedicationRequest, Organization, Patient, Practitioner, PractitionerRole, Resource } from '@medplum/fhirtypes';
import path from 'node:path';
import type { Grant } from '../../../server/auth/access-tokens';
import type { AuthServer } from '../../../server/auth/auth-server';
import { administratorToken, testAuthServer } from '../../helpers/auth';
import { patient as patientFixture } from '../../helpers/fixtures';
import { loadNetworkContent } from '../../helpers/network-server';
import { createTestServer, memoryStore, type TestServer } from '../../helpers/test-server';
import { generatedDir } from '../../profiles/profile-validation';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { loadNetworkSearchParameters } from '../../../server/search/network-search-parameters';

export const dhc = 'https://fhir.dhc.example';
export const pharmacyRef = 'Organization/rx-cloud-pharmacy';
export const clinicRef = 'Organization/rx-clinic';

const organization = (id: string, type: string, name: string): Organization => ({
  resourceType: 'Organization',
  id,
  active: true,
  name,
  type: [{ coding: [{ system: `${dhc}/CodeSystem/organization-type`, code: type }] }],
});
const practitioner = (id: string, name: string): Practitioner => ({ resourceType: 'Practitioner', id, name: [{ text: name }] });
const role = (id: string, who: string, org: string, code: string): PractitionerRole => ({
  resourceType: 'PractitionerRole',
  id,
  active: true,
  practitioner: { reference: `Practitioner/${who}` },
  organization: { reference: org },
  code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code }] }],
});

export function networkResources(): Resource[] {
  const patient: Patient = { ...patientFixture(), id: 'rx-pat', managingOrganization: { reference: clinicRef } };
  const other: Patient = { ...patientFixture(), id: 'rx-pat-2', managingOrganization: { reference: clinicRef } };
  const condition: Condition = {
    resourceType: 'Condition',
    id: 'rx-htn',
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }], text: '高血压' },
    subject: { reference: 'Patient/rx-pat' },
  };
  const evaluation: ClinicalImpression = {
    resourceType: 'ClinicalImpression',
    id: 'rx-eval',
    status: 'completed',
    subject: { reference: 'Patient/rx-pat' },
    summary: '病情稳定，适合长期处方',
  };
  return [
    organization('rx-cloud-pharmacy', 'cloud-pharmacy', '云药房'),
    organization('rx-clinic', 'grassroots-clinic', '社区卫生服务中心'),
    practitioner('rx-ph-1', '药师甲'),
    practitioner('rx-ph-2', '药师乙'),
    practitioner('rx-gp', '全科医生'),
    role('rx-ph-role-1', 'rx-ph-1', pharmacyRef, 'pharmacist'),
    role('rx-ph-role-2', 'rx-ph-2', pharmacyRef, 'pharmacist'),
    role('rx-gp-role', 'rx-gp', clinicRef, 'doctor'),
    patient,
    other,
    condition,
    evaluation,
  ];
}

export interface PharmacyServer extends TestServer {
  auth: AuthServer;
  /** Tokens of each role: the clinic's prescriber, the cloud pharmacy's pharmacist, an administrator. */
  tokens: { clinician: string; pharmacist: string; otherPharmacist: string; nurse: string; admin: string };
}

/** The network's SearchParameters too (review-status), as the server has them. */
let networkRegistry: SearchParameterRegistry | undefined;
export function pharmacyRegistry(): SearchParameterRegistry {
  networkRegistry ??= new SearchParameterRegistry(loadNetworkSearchParameters(path.dirname(generatedDir)));
  return networkRegistry;
}

export async function pharmacyServer(): Promise<PharmacyServer> {
  const registry = pharmacyRegistry();
  const store = memoryStore(createResourceIndexer(registry));
  await loadNetworkContent(store);
  for (const resource of networkResources()) {
    await store.update(resource);
  }
  const server = createTestServer({ store, registry });
  const auth = testAuthServer(store);
  const token = (grant: Partial<Grant>): string => administratorToken(auth, grant);
  return {
    ...server,
    auth,
    tokens: {
      clinician: token({ account: 'gp', fhirUser: 'PractitionerRole/rx-gp-role', roles: ['clinician'], organizations: [clinicRef] }),
      pharmacist: token({ account: 'ph1', fhirUser: 'PractitionerRole/rx-ph-role-1', roles: ['pharmacist'], organizations: [pharmacyRef] }),
      otherPharmacist: token({ account: 'ph-elsewhere', fhirUser: 'PractitionerRole/rx-gp-role', roles: ['pharmacist'], organizations: [clinicRef] }),
      nurse: token({ account: 'nurse', fhirUser: 'PractitionerRole/rx-gp-role', roles: ['nurse'], organizations: [clinicRef] }),
      admin: token({}),
    },
  };
}

/** A 7-day prescription of amlodipine 5 mg once a day for the patient, addressed to the cloud pharmacy. */
export function prescription(overrides: Partial<MedicationRequest> = {}, product = 'amlodipine-tab-5mg'): MedicationRequest {
  return {
    resourceType: 'MedicationRequest',
    status: 'draft',
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: `${dhc}/CodeSystem/formulary`, code: product }] },
    subject: { reference: 'Patient/rx-pat' },
    authoredOn: '2026-12-06T09:00:00+08:00',
    requester: { reference: 'PractitionerRole/rx-gp-role' },
    dosageInstruction: [
      {
        text: '每日1次，每次1片，口服',
        timing: { repeat: { frequency: 1, period: 1, periodUnit: 'd' } },
        route: { coding: [{ system: `${dhc}/CodeSystem/route-of-administration`, code: 'oral' }] },
        doseAndRate: [{ doseQuantity: { value: 1, unit: '片', system: 'http://unitsofmeasure.org', code: '{tablet}' } }],
      },
    ],
    dispenseRequest: {
      quantity: { value: 7, unit: '片', system: 'http://unitsofmeasure.org', code: '{tablet}' },
      expectedSupplyDuration: { value: 7, unit: '天', system: 'http://unitsofmeasure.org', code: 'd' },
      performer: { reference: pharmacyRef },
    },
    ...overrides,
  };
}

/** A long prescription (`days` of supply) naming the condition, and above 28 days the evaluation. */
export function longPrescription(days: number, withEvaluation = true): MedicationRequest {
  const base = prescription();
  return {
    ...base,
    extension: [
      {
        url: `${dhc}/StructureDefinition/long-prescription`,
        extension: [{ url: 'condition', valueReference: { reference: 'Condition/rx-htn' } }, ...(withEvaluation ? [{ url: 'evaluation', valueReference: { reference: 'ClinicalImpression/rx-eval' } }] : [])],
      },
    ],
    dispenseRequest: {
      ...base.dispenseRequest,
      quantity: { value: days, unit: '片', system: 'http://unitsofmeasure.org', code: '{tablet}' },
      expectedSupplyDuration: { value: days, unit: '天', system: 'http://unitsofmeasure.org', code: 'd' },
    },
  };
}
