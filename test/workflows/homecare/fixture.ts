// A hand-built home-care network for the workflow tests: one clinic, its family-doctor team, two
// patients at known positions and six nurses who differ in qualification, distance, service area and
// hours, on a server holding the network's terminology and profiles (security on), with tokens for each role.
import type { CareTeam, Location, Organization, Patient, Practitioner, PractitionerRole, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import type { Grant } from '../../../server/auth/access-tokens';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { loadNetworkSearchParameters } from '../../../server/search/network-search-parameters';
import { networkDateTime } from '../../../server/workflows/homecare/visit-task';
import { geolocationExtension, offsetPosition, serviceRadiusUrl, type Position } from '../../../server/workflows/homecare/geo';
import { administratorToken, testAuthServer } from '../../helpers/auth';
import { loadNetworkContent } from '../../helpers/network-server';
import { createTestServer, memoryStore, type TestServer } from '../../helpers/test-server';
import type { EmbeddedStore } from '../../../server/store/adapters';
import { repoRoot } from '../../profiles/profile-validation';

export const workflowSystem = 'https://fhir.dhc.example/CodeSystem/home-care-workflow';
const serviceSystem = 'https://fhir.dhc.example/CodeSystem/home-care-service';
export const clinic = 'Organization/hc-clinic';
export const home: Position = { latitude: 34.25, longitude: 112.55 };
/** A Tuesday morning, local time: the nurses on weekday hours are on duty. */
export const visitStart = '2026-12-08T09:30:00+08:00';

/** The nurses: qualification, distance from the home (km, due east), service radius and hours. */
export const nurses = {
  nearUnqualified: { services: ['venous-blood-sampling'], km: 0.3, radius: 3 },
  nearSmallArea: { services: ['wound-dressing'], km: 0.5, radius: 0.4 },
  offDuty: { services: ['wound-dressing'], km: 0.7, radius: 3, weekendsOnly: true },
  first: { services: ['wound-dressing'], km: 1.0, radius: 3 },
  second: { services: ['wound-dressing', 'venous-blood-sampling'], km: 2.0, radius: 5 },
  far: { services: ['wound-dressing'], km: 9, radius: 5 },
} as const;
export type NurseName = keyof typeof nurses;
export const nurseRole = (name: NurseName): string => `PractitionerRole/hc-nurse-${name}`;

let registry: SearchParameterRegistry | undefined;

export interface HomeCareFixture {
  server: TestServer;
  /** The store below the server: a write here is what another process sharing the store would make. */
  store: EmbeddedStore;
  token(grant: Partial<Grant>): string;
  clinicianToken: string;
  pharmacistToken: string;
  patientToken: string;
  nurseToken(name: NurseName): string;
  /** PUT as the administrator; asserts success. */
  put(resource: Resource): Promise<void>;
  /** A request as the token's caller. */
  as(token: string): { get(path: string): ReturnType<TestServer['http']['get']>; put(resource: Resource): ReturnType<TestServer['http']['put']>; post(path: string, body?: object): ReturnType<TestServer['http']['post']> };
  /** The home-visit Tasks of an order, oldest first. */
  visits(requestId: string): Promise<Task[]>;
}

export async function homeCareFixture(): Promise<HomeCareFixture> {
  registry ??= new SearchParameterRegistry(loadNetworkSearchParameters(path.join(repoRoot, 'profiles')));
  const store = memoryStore(createResourceIndexer(registry));
  await loadNetworkContent(store);
  const server = createTestServer({ store, registry });
  const auth = testAuthServer(store);
  const token = (grant: Partial<Grant>): string => administratorToken(auth, grant);
  const put = async (resource: Resource): Promise<void> => {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).send(resource);
    assert.ok(res.status === 200 || res.status === 201, `${resource.resourceType}/${resource.id}: ${res.status} ${res.text}`);
  };
  for (const resource of networkResources()) {
    await put(resource);
  }
  const as = (bearer: string): ReturnType<HomeCareFixture['as']> => ({
    get: (p) => server.http.get(p).set('Authorization', `Bearer ${bearer}`),
    put: (resource) => server.http.put(`/${resource.resourceType}/${resource.id}`).set('Authorization', `Bearer ${bearer}`).send(resource),
    post: (p, body) => server.http.post(p).set('Authorization', `Bearer ${bearer}`).send(body ?? {}),
  });
  return {
    server,
    store,
    token,
    clinicianToken: token({ account: 'gp', fhirUser: 'PractitionerRole/hc-gp', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.cruds'] }),
    pharmacistToken: token({ account: 'ph', fhirUser: 'PractitionerRole/hc-pharmacist', roles: ['pharmacist'], organizations: ['Organization/hc-pharmacy'], scopes: ['user/*.cruds'] }),
    patientToken: token({ account: 'p1', fhirUser: 'Patient/hc-pat-1', roles: ['patient'], organizations: [], scopes: ['patient/*.rs', 'patient/ServiceRequest.c'], patient: 'hc-pat-1' }),
    nurseToken: (name) => token({ account: name, fhirUser: nurseRole(name), roles: ['nurse'], organizations: [clinic], scopes: ['user/*.cruds'] }),
    put,
    as,
    visits: async (requestId) => {
      const res = await server.http.get(`/Task?focus=ServiceRequest/${requestId}&code=${workflowSystem}|home-visit&_sort=_lastUpdated`);
      return (res.body.entry ?? []).map((e: { resource: Task }) => e.resource);
    },
  };
}

/** The base Location of a fixture nurse, at `km` due east of the home, with her radius. */
export function nurseLocation(name: NurseName, km: number = nurses[name].km, radius: number = nurses[name].radius): Location {
  return {
    resourceType: 'Location',
    id: `hc-nurse-${name}`,
    status: 'active',
    name: `${name} 服务区域`,
    extension: [{ url: serviceRadiusUrl, valueQuantity: { value: radius, unit: 'km', system: 'http://unitsofmeasure.org', code: 'km' } }],
    position: offsetPosition(home, km, Math.PI / 2),
    managingOrganization: { reference: clinic },
  };
}

function networkResources(): Resource[] {
  const org: Organization = { resourceType: 'Organization', id: 'hc-clinic', active: true, name: '测试社区卫生服务中心' };
  const pharmacy: Organization = { resourceType: 'Organization', id: 'hc-pharmacy', active: true, name: '测试云药房' };
  const gp: Practitioner = { resourceType: 'Practitioner', id: 'hc-gp', name: [{ text: '李医生' }] };
  const gpRole: PractitionerRole = { resourceType: 'PractitionerRole', id: 'hc-gp', active: true, practitioner: { reference: 'Practitioner/hc-gp' }, organization: { reference: clinic } };
  const otherGpRole: PractitionerRole = { resourceType: 'PractitionerRole', id: 'hc-gp-other', active: true, practitioner: { reference: 'Practitioner/hc-gp' }, organization: { reference: clinic } };
  const team: CareTeam = {
    resourceType: 'CareTeam',
    id: 'hc-team',
    status: 'active',
    name: '1号家庭医生团队',
    participant: [{ member: { reference: 'PractitionerRole/hc-gp' } }],
    managingOrganization: [{ reference: clinic }],
  };
  const patient = (id: string, at: Position): Patient => ({
    resourceType: 'Patient',
    id,
    name: [{ text: id === 'hc-pat-1' ? '王秀英' : '张建国' }],
    address: [{ use: 'home', text: '青禾市中心区和平路1号', district: '中心区', line: ['和平路1号'], extension: [geolocationExtension(at)] }],
    generalPractitioner: [{ reference: 'PractitionerRole/hc-gp' }],
    managingOrganization: { reference: clinic },
  });
  const resources: Resource[] = [org, pharmacy, gp, gpRole, otherGpRole, team, patient('hc-pat-1', home), patient('hc-pat-2', offsetPosition(home, 0.5, 0))];
  for (const [name, nurse] of Object.entries(nurses) as [NurseName, (typeof nurses)[NurseName]][]) {
    const id = `hc-nurse-${name}`;
    const location = nurseLocation(name);
    const role: PractitionerRole = {
      resourceType: 'PractitionerRole',
      id,
      active: true,
      extension: nurse.services.map((code) => ({ url: 'https://fhir.dhc.example/StructureDefinition/authorized-home-care-service', valueCodeableConcept: { coding: [{ system: serviceSystem, code }] } })),
      practitioner: { reference: `Practitioner/${id}`, display: name },
      organization: { reference: clinic },
      code: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/practitioner-role', code: 'nurse' }] }],
      location: [{ reference: `Location/${id}` }],
      availableTime: [
        'weekendsOnly' in nurse
          ? { daysOfWeek: ['sat', 'sun'], availableStartTime: '08:00:00', availableEndTime: '18:00:00' }
          : { daysOfWeek: ['mon', 'tue', 'wed', 'thu', 'fri'], availableStartTime: '08:00:00', availableEndTime: '18:00:00' },
      ],
    };
    resources.push({ resourceType: 'Practitioner', id, name: [{ text: name }] } as Practitioner, location, role);
  }
  return resources;
}

/** A home-care order for a patient of the fixture (not yet assessed). */
export function homeCareRequest(id: string, options: { patient?: string; code?: string; requester?: string; day?: string } = {}): ServiceRequest {
  const patient = options.patient ?? 'hc-pat-1';
  return {
    resourceType: 'ServiceRequest',
    id,
    status: 'active',
    intent: 'order',
    priority: 'routine',
    code: { coding: [{ system: serviceSystem, code: options.code ?? 'wound-dressing' }], text: '上门伤口换药' },
    subject: { reference: `Patient/${patient}` },
    occurrencePeriod: options.day ? { start: `${options.day}T09:30:00+08:00`, end: `${options.day}T11:30:00+08:00` } : { start: visitStart, end: '2026-12-08T11:30:00+08:00' },
    authoredOn: '2026-12-06T10:00:00+08:00',
    requester: { reference: options.requester ?? 'PractitionerRole/hc-gp' },
    locationCode: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'PTRES' }] }],
    reasonCode: [{ text: '行动不便' }],
  };
}

/** The family-doctor team's eligibility assessment of an order, completed with a decision. */
export function assessment(requestId: string, decision: 'eligible' | 'not-eligible' = 'eligible', patient = 'hc-pat-1'): Task {
  return {
    resourceType: 'Task',
    id: `${requestId}-assess`,
    status: 'completed',
    intent: 'order',
    code: { coding: [{ system: workflowSystem, code: 'eligibility-assessment' }] },
    focus: { reference: `ServiceRequest/${requestId}` },
    for: { reference: `Patient/${patient}` },
    authoredOn: '2026-12-06T10:30:00+08:00',
    lastModified: '2026-12-06T10:30:00+08:00',
    owner: { reference: 'CareTeam/hc-team' },
    output: [{ type: { coding: [{ system: workflowSystem, code: 'eligibility-decision' }] }, valueCodeableConcept: { coding: [{ system: workflowSystem, code: decision }] } }],
  };
}

/** The visit as the nurse moves it: the next status with what that step records. */
export function visitStep(task: Task, status: Task['status'], extra: Partial<Task> = {}): Task {
  const { meta: _meta, ...rest } = task;
  return { ...rest, status, lastModified: networkDateTime(Date.now()), ...extra };
}

/** The check-in of a started visit: time and a contained Location at `at`. */
export function checkIn(at: Position): Partial<Task> {
  return {
    executionPeriod: { start: networkDateTime(Date.now()) },
    contained: [{ resourceType: 'Location', id: 'check-in', status: 'active', position: at } as Location],
    input: [{ type: { coding: [{ system: workflowSystem, code: 'check-in' }] }, valueReference: { reference: '#check-in' } }],
  };
}
