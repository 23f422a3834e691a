// The home-visit Task a dispatch creates: owned by the chosen nurse, status requested, for the order's
// patient, with the dispatch distance as an input. Each dispatch (and each pass after a decline) makes a
// new Task, following the FHIR workflow pattern in which a performer's rejection ends that Task
// (https://hl7.org/fhir/R4/task.html#statemachine: rejected is a final status); the Tasks of one order
// (Task?focus=ServiceRequest/[id]) are its dispatch history.
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import type { StoreOperations } from '../../store/port';
import type { NurseCandidate } from './candidates';
import { homeCareTaskProfile, workflowCoding } from './codes';
import { readReference } from './order';

/** The local time (+08:00, the network's) of an instant, to the second, as the seed and clinics write them. */
export function networkDateTime(instant: number): string {
  return `${new Date(instant + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
}

export async function visitTask(store: StoreOperations, request: ServiceRequest, nurse: NurseCandidate, now = Date.now()): Promise<Task> {
  const patient = await readReference<Patient>(store, request.subject?.reference, 'Patient');
  const requester = patient?.managingOrganization ?? request.requester;
  const service = request.code?.text ?? request.code?.coding?.[0]?.display ?? '';
  const wanted = request.occurrencePeriod ?? (request.occurrenceDateTime ? { start: request.occurrenceDateTime } : undefined);
  return {
    resourceType: 'Task',
    id: randomUUID(),
    meta: { profile: [homeCareTaskProfile] },
    basedOn: [{ reference: `ServiceRequest/${request.id}` }],
    status: 'requested',
    intent: 'order',
    priority: request.priority ?? 'routine',
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill', display: 'Fulfill the focal request' }, workflowCoding('home-visit', 'Home-care visit')] },
    description: `派单：就近护士${service}`,
    focus: { reference: `ServiceRequest/${request.id}` },
    for: request.subject,
    authoredOn: networkDateTime(now),
    lastModified: networkDateTime(now),
    ...(requester ? { requester } : {}),
    // When the visit is wanted: what a nurse's round of the day is counted by (candidates.ts).
    ...(wanted ? { restriction: { period: wanted } } : {}),
    owner: { reference: nurse.reference, ...(nurse.role.practitioner?.display ? { display: nurse.role.practitioner.display } : {}) },
    input: [{ type: { coding: [workflowCoding('dispatch-distance', 'Dispatch distance')] }, valueDecimal: Math.round(nurse.distanceKm * 100) / 100 }],
  };
}
