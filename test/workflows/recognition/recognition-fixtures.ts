// The small network the recognition tests judge results in: a grassroots clinic whose laboratory the
// quality-control centre passed for some items and failed for LDL cholesterol, a tertiary hospital where
// the patient has an encounter, two patients, and a creatinine result of the clinic that the hospital
// recognizes (every refusal test changes one thing of it).
import type { Encounter, Observation, Organization, Patient, Resource, VerificationResult } from '@medplum/fhirtypes';
import path from 'node:path';
import { loadNetworkSearchParameters } from '../../../server/search/network-search-parameters';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { testAuthServer } from '../../helpers/auth';
import { patient } from '../../helpers/fixtures';
import { loadNetworkContent } from '../../helpers/network-server';
import { createTestServer, memoryStore, type TestServer } from '../../helpers/test-server';
import { repoRoot } from '../../profiles/profile-validation';

export const clinic = 'Organization/rec-clinic';
export const hospital = 'Organization/rec-hospital';
export const useDate = '2026-11-20';

/** The network's own search parameters too (Provenance `activity`, the unique resident ID). */
let registry: SearchParameterRegistry | undefined;
function networkRegistry(): SearchParameterRegistry {
  registry ??= new SearchParameterRegistry(loadNetworkSearchParameters(path.join(repoRoot, 'profiles')));
  return registry;
}

export interface RecognitionServer extends TestServer {
  /** A bearer token for a caller with these roles and organizations. */
  tokenFor(roles: string[], organizations: string[], scopes?: string[]): string;
  patientA: Patient;
  patientB: Patient;
}

export async function recognitionServer(): Promise<RecognitionServer> {
  const store = memoryStore(createResourceIndexer(networkRegistry()));
  await loadNetworkContent(store);
  const server = createTestServer({ store, registry: networkRegistry() });
  const auth = testAuthServer(store);
  const put = async (resource: Resource): Promise<void> => {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).send(resource);
    if (res.status >= 300) {
      throw new Error(`${resource.resourceType}/${resource.id}: ${res.status} ${JSON.stringify(res.body)}`);
    }
  };
  const organization = (id: string, name: string): Organization => ({ resourceType: 'Organization', id, active: true, name });
  await put(organization('rec-clinic', '河畔社区卫生服务中心'));
  await put(organization('rec-hospital', '青禾市第一人民医院'));
  await put({ resourceType: 'Practitioner', id: 'rec-doctor', active: true, name: [{ text: '李医生' }] });
  const patientA = { ...patient({ managingOrganization: { reference: clinic } }), id: 'rec-pat-a' };
  const patientB = { ...patient({ managingOrganization: { reference: clinic } }), id: 'rec-pat-b' };
  await put(patientA);
  await put(patientB);
  const visit: Encounter = {
    resourceType: 'Encounter',
    id: 'rec-enc-hospital',
    status: 'in-progress',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB', display: 'ambulatory' },
    subject: { reference: 'Patient/rec-pat-a' },
    serviceProvider: { reference: hospital },
  };
  await put(visit);
  for (const item of ['14749-6', '4548-4', '14682-9', '2823-3']) {
    await put(qualityRecord(item, 'validated'));
  }
  await put(qualityRecord('22748-8', 'val-fail'));
  const tokenFor = (roles: string[], organizations: string[], scopes = ['user/*.cruds']): string =>
    auth.context.tokens.issue({ kind: 'user', clientId: 'test-client', account: 'rec-user', fhirUser: 'Practitioner/rec-doctor', roles, organizations, scopes }).token;
  return { ...server, tokenFor, patientA, patientB };
}

/** The quality-control centre's record of the clinic's 2026 round for one item. */
export function qualityRecord(item: string, status: 'validated' | 'val-fail'): VerificationResult {
  return {
    resourceType: 'VerificationResult',
    id: `rec-eqa-${item}`,
    target: [{ reference: clinic }],
    status,
    validationProcess: [
      { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/recognition', code: 'external-quality-assessment' }] },
      { coding: [{ system: 'http://loinc.org', code: item }] },
    ],
    lastPerformed: '2025-12-10T17:00:00+08:00',
    nextScheduled: '2027-01-01',
    validator: [{ organization: { reference: hospital } }],
  };
}

const ucum = 'http://unitsofmeasure.org';

/** A creatinine result of the clinic's laboratory for patient A, as dhc-lab-result asks. */
export function creatinine(id: string, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    id,
    meta: { profile: ['https://fhir.dhc.example/StructureDefinition/dhc-lab-result'] },
    extension: [
      {
        url: 'https://fhir.dhc.example/StructureDefinition/eqa-status',
        valueCodeableConcept: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/eqa-status', code: 'passed', display: 'Passed' }] },
      },
      {
        url: 'https://fhir.dhc.example/StructureDefinition/mutual-recognition',
        extension: [
          { url: 'mark', valueCode: 'HR' },
          { url: 'scope', valueCoding: { system: 'https://fhir.dhc.example/CodeSystem/recognition-scope', code: 'city', display: 'City' } },
        ],
      },
    ],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
    code: { coding: [{ system: 'http://loinc.org', code: '14682-9', display: 'Creatinine [Moles/volume] in Serum or Plasma' }], text: '血肌酐' },
    subject: { reference: 'Patient/rec-pat-a' },
    effectiveDateTime: '2026-11-05T08:10:00+08:00',
    issued: '2026-11-05T11:42:00+08:00',
    performer: [{ reference: clinic, display: '河畔社区卫生服务中心检验科' }],
    valueQuantity: { value: 78, unit: 'µmol/L', system: ucum, code: 'umol/L' },
    method: { text: '酶法' },
    ...overrides,
  };
}

/** Only the eqa-status declaration, without the HR mark (which a result that is not final may not carry). */
export function withoutMark(observation: Observation): Observation {
  return { ...observation, extension: observation.extension?.filter((e) => !e.url.endsWith('/mutual-recognition')) };
}
