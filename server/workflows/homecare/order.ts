// What the workflow reads of a home-care order: the request, its patient's home position, the
// assessment and the visits of it. The home is the geolocation of the request's home-address extension
// (the profile's required home address), or else of the patient's home address.
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { StoreOperations } from '../../store/port';
import { referenceTo } from '../../auth/policy/restriction';
import { searchAll, tokenFilter } from './store-queries';
import { hasWorkflowCode, homeAddressUrl, homeCareWorkflowSystem, openVisitStatuses, serviceCode, typedParameter } from './codes';
import { addressPosition, type Position } from './geo';

/** The current resource of a literal reference 'Type/id' (undefined when absent, deleted or not of `type`). */
export async function readReference<T>(store: StoreOperations, reference: string | undefined, type: string): Promise<T | undefined> {
  const [refType, id, ...rest] = (reference ?? '').split('/');
  if (refType !== type || !id || rest.length) {
    return undefined;
  }
  const current = await store.readCurrent(type, id);
  return current && !current.deleted ? (current.resource as T) : undefined;
}

/** The home-care request a Task is about (its focus); undefined unless it is a ServiceRequest with a home-care service code. */
export async function focusRequest(store: StoreOperations, task: Task): Promise<ServiceRequest | undefined> {
  const request = await readReference<ServiceRequest>(store, task.focus?.reference, 'ServiceRequest');
  return request && serviceCode(request.code) ? request : undefined;
}

/** The position of the patient's home: the request's home address, or the patient's own home address. */
export async function orderHome(store: StoreOperations, request: ServiceRequest): Promise<Position | undefined> {
  const own = addressPosition(request.extension?.find((e) => e.url === homeAddressUrl)?.valueAddress);
  if (own) {
    return own;
  }
  const patient = await readReference<Patient>(store, request.subject?.reference, 'Patient');
  const addresses = patient?.address ?? [];
  return addressPosition(addresses.find((a) => a.use === 'home') ?? addresses[0]);
}

/** The Tasks of one workflow kind about the request. */
export function workflowTasks(store: StoreOperations, requestId: string, kind: 'eligibility-assessment' | 'home-visit'): Promise<Task[]> {
  return searchAll<Task>(store, 'Task', [tokenFilter('Task', 'code', homeCareWorkflowSystem, kind), referenceTo('Task', 'focus', [`ServiceRequest/${requestId}`])]);
}

/** The eligibility decision of a completed assessment: 'eligible', 'not-eligible', or undefined. */
export function eligibilityDecision(task: Task): string | undefined {
  if (task.status !== 'completed') {
    return undefined;
  }
  const decision = typedParameter(task.output, 'eligibility-decision')?.valueCodeableConcept;
  return ['eligible', 'not-eligible'].find((code) => hasWorkflowCode(decision, code));
}

/** Whether the request was assessed eligible by a completed eligibility assessment. */
export async function assessedEligible(store: StoreOperations, requestId: string): Promise<boolean> {
  return (await workflowTasks(store, requestId, 'eligibility-assessment')).some((t) => eligibilityDecision(t) === 'eligible');
}

export const isOpenVisit = (task: Task): boolean => openVisitStatuses.includes(task.status);
