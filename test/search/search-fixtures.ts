// A small, hand-made data set with known ids for the search tests: every expected result is written
// out in the tests, not computed.
import type { Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { Bundle } from '@medplum/fhirtypes';
import type { StoreAdapterUnderTest } from '../helpers/store-adapters';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const loinc = 'http://loinc.org';
const ucum = 'http://unitsofmeasure.org';
const rid = 'urn:oid:2.16.156.10011.1.3';

export const searchFixtures: Resource[] = [
  { resourceType: 'Organization', id: 'org-clinic', name: '和平区社区卫生服务中心', identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: 'B100-001' }] },
  { resourceType: 'Organization', id: 'org-hospital', name: 'Tianjin First Central Hospital', partOf: { reference: 'Organization/org-clinic' } },
  { resourceType: 'Practitioner', id: 'dr-li', name: [{ family: '李', given: ['医生'], text: '李医生' }] },
  {
    resourceType: 'Patient',
    id: 'p-wang',
    identifier: [
      { system: rid, value: '120101198001010012' },
      { type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:mrn', value: 'MR-1' },
    ],
    name: [{ text: '王小明', family: '王', given: ['小明'] }, { family: 'Wang', given: ['Xiaoming'] }],
    gender: 'male',
    birthDate: '1980-01-01',
    telecom: [{ system: 'phone', value: '13900000001' }],
    address: [{ city: '天津市', district: '和平区' }],
    managingOrganization: { reference: 'Organization/org-clinic' },
    generalPractitioner: [{ reference: 'Practitioner/dr-li' }],
    meta: { tag: [{ system: 'https://fhir.dhc.example/tags', code: 'chronic' }] },
  },
  {
    resourceType: 'Patient',
    id: 'p-jose',
    name: [{ family: 'José', given: ['María'] }],
    gender: 'female',
    birthDate: '1975-06',
    managingOrganization: { reference: 'Organization/org-hospital' },
  },
  { resourceType: 'Patient', id: 'p-zhang', name: [{ text: '张伟', family: '张', given: ['伟'] }], gender: 'male', birthDate: '1990-12-31', active: false },
  {
    resourceType: 'Encounter',
    id: 'enc-1',
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: 'Patient/p-wang' },
    period: { start: '2026-03-05T09:00:00+08:00', end: '2026-03-05T09:30:00+08:00' },
  },
  {
    resourceType: 'Observation',
    id: 'obs-bp-1',
    status: 'final',
    code: { coding: [{ system: loinc, code: '85354-9', display: 'Blood pressure panel' }], text: '血压' },
    subject: { reference: 'Patient/p-wang' },
    encounter: { reference: 'Encounter/enc-1' },
    effectiveDateTime: '2026-03-05T09:05:00+08:00',
    component: [
      { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: { value: 150, unit: 'mm[Hg]', system: ucum, code: 'mm[Hg]' } },
      { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: { value: 95, unit: 'mm[Hg]', system: ucum, code: 'mm[Hg]' } },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'obs-bp-2',
    status: 'final',
    code: { coding: [{ system: loinc, code: '85354-9' }] },
    subject: { reference: 'Patient/p-wang' },
    effectiveDateTime: '2026-06-05T09:05:00+08:00',
    component: [
      { code: { coding: [{ system: loinc, code: '8480-6' }] }, valueQuantity: { value: 128, unit: 'mm[Hg]', system: ucum, code: 'mm[Hg]' } },
      { code: { coding: [{ system: loinc, code: '8462-4' }] }, valueQuantity: { value: 82, unit: 'mm[Hg]', system: ucum, code: 'mm[Hg]' } },
    ],
  },
  {
    resourceType: 'Observation',
    id: 'obs-glu',
    status: 'final',
    code: { coding: [{ system: loinc, code: '14771-0', display: 'Fasting glucose' }] },
    subject: { reference: 'Patient/p-zhang' },
    effectivePeriod: { start: '2026-03-01', end: '2026-03-31' },
    valueQuantity: { value: 7.2, unit: 'mmol/L', system: ucum, code: 'mmol/L' },
  },
  {
    resourceType: 'Observation',
    id: 'obs-weight',
    status: 'preliminary',
    code: { coding: [{ system: loinc, code: '29463-7' }] },
    subject: { reference: 'Patient/p-jose' },
    effectiveDateTime: '2025-12-01',
    valueQuantity: { value: 65.5, unit: 'kg', system: ucum, code: 'kg' },
  },
  {
    resourceType: 'RiskAssessment',
    id: 'risk-1',
    status: 'final',
    subject: { reference: 'Patient/p-wang' },
    prediction: [{ probabilityDecimal: 0.25 }],
  },
  {
    resourceType: 'ValueSet',
    id: 'vs-bp',
    url: 'https://fhir.dhc.example/ValueSet/blood-pressure-codes',
    version: '1.0.0',
    status: 'active',
  },
  {
    resourceType: 'QuestionnaireResponse',
    id: 'qr-1',
    status: 'completed',
    questionnaire: 'https://fhir.dhc.example/Questionnaire/follow-up|2.0',
    subject: { reference: 'Patient/p-wang' },
  },
];

/** A server on the adapter's store holding the fixtures, written with PUT so that their ids are the ones above. */
export async function serverWithFixtures(adapter: StoreAdapterUnderTest): Promise<TestServer> {
  const server = createTestServer({ store: await adapter.open() });
  for (const resource of searchFixtures) {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
    assert.equal(res.status, 201, JSON.stringify(res.body));
  }
  return server;
}

/** The ids of the matches of a search, sorted; fails the test on a non-200 answer. */
export async function searchIds(server: TestServer, query: string): Promise<string[]> {
  const res = await server.http.get(query).set('Prefer', 'handling=strict');
  assert.equal(res.status, 200, `${query}: ${JSON.stringify(res.body)}`);
  return ((res.body as Bundle).entry ?? [])
    .filter((e) => e.search?.mode === 'match')
    .map((e) => e.resource!.id!)
    .sort();
}
