// The home-care workflow replayed through the FHIR core at start-up, with the callers of each role, so
// that the seeded data itself shows the rules hold: patients and general practitioners order, the
// family-doctor team assesses, the clinic dispatches ($dispatch), nurses decline, accept, check in at
// the home, record the service and complete. Every request passes the pipeline as a client's would (the
// security policy and the write rules); a refusal stops the seed. Orders are dated from now: $dispatch
// stamps its Task with the present, and each later step is timestamped after it. The first order is for
// a patient whose home the seeded `nurse` account's nurse serves (account-nurse.ts), so that $dispatch
// gives that account a visit of its own.
import type { Parameters, Patient, Procedure, Resource, Task } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { FhirCore } from '../../server/fhir-core';
import type { Caller } from '../../server/fhir/pipeline/caller';
import { workflowCoding } from '../../server/workflows/homecare/codes';
import { accountNurse } from './account-nurse';
import { homeCareOrder } from './homecare-orders';
import { addressPosition } from '../../server/workflows/homecare/geo';
import { networkDateTime } from '../../server/workflows/homecare/visit-task';
import { minute, ref } from '../fhir';
import { inProcess } from '../load';
import { networkDirectory, type NetworkDirectory, type StaffMember } from '../network/directory';
import { patientRecord } from '../patients/patient-record';

/** How many orders the replay makes (spread over the seeded patients). */
export const replayedOrders = 30;

type Step = 'requested' | 'accepted' | 'completed';

/** How far each order goes: most are completed, some wait with the nurse; every seventh is first declined, every ninth not eligible. */
function planOf(k: number): { end: Step | 'not-eligible'; declineFirst: boolean; byPatient: boolean } {
  return { end: k % 9 === 8 ? 'not-eligible' : k % 5 === 3 ? 'accepted' : k % 5 === 4 ? 'requested' : 'completed', declineFirst: k % 7 === 2, byPatient: k % 2 === 0 };
}

export interface ReplayOptions {
  patients: number;
  seedValue: number;
}

/** Replays the orders; answers how many resources were written. Orders already stored (an interrupted replay) are skipped. */
export async function replayHomeCare(core: FhirCore, logger: Logger, options: ReplayOptions): Promise<number> {
  const network = networkDirectory();
  const staff = new Map(network.clinics.flatMap((c) => [...c.homeCareNurses, ...c.teams.map((t) => t.generalPractitioner)]).map((s) => [`PractitionerRole/${s.roleId}`, s]));
  // The first order is for the patient whose home the `nurse` account's nurse serves: $dispatch gives it to her.
  const account = accountNurse(network, options);
  let written = 0;
  for (let k = 0; k < replayedOrders && options.patients > 0; k++) {
    const id = `hc-replay-${k}`;
    if ((await inProcess(core, logger, { method: 'GET', path: `ServiceRequest/${id}`, headers: {} })).status === 200) {
      continue;
    }
    const patient = patientRecord(k === 0 && account ? account.patientIndex : k % options.patients, options.seedValue, network)[0] as Patient;
    written += await replayOrder(new Replay(core, logger), id, k, patient, network, staff);
  }
  logger.info({ orders: replayedOrders, resources: written }, 'seed: home-care workflow replayed through the API');
  if (account && options.patients > 0) {
    const visits = await new Replay(core, logger).read<{ entry?: { resource: Task }[] }>('Task', `focus=ServiceRequest/hc-replay-0&code=${workflowCoding('home-visit').system}|home-visit`);
    if (!visits.entry?.some((e) => e.resource.owner?.reference === `PractitionerRole/${account.nurse.roleId}`)) {
      logger.warn({ nurse: account.nurse.roleId }, "seed: the first home-care order was dispatched to another nurse than the `nurse` account's; that account has no visit");
    }
  }
  return written;
}

/** Requests as one caller or another; a refusal throws with the answer. */
class Replay {
  written = 0;
  constructor(
    private readonly core: FhirCore,
    private readonly logger: Logger
  ) {}

  async send<T extends Resource>(caller: Caller, method: 'PUT' | 'POST', path: string, body?: Resource): Promise<T> {
    const response = await inProcess(this.core, this.logger, { method, path, headers: {}, body, caller });
    if (response.status >= 300) {
      throw new Error(`home-care replay: ${method} ${path} as ${caller.account} answered ${response.status}: ${JSON.stringify(response.body)}`);
    }
    this.written += method === 'PUT' || path.endsWith('$dispatch') ? 1 : 0;
    return response.body as T;
  }

  put<T extends Resource>(caller: Caller, resource: T): Promise<T> {
    return this.send<T>(caller, 'PUT', `${resource.resourceType}/${resource.id}`, resource);
  }

  /** A read as the server itself: what the next step needs to know, not a step of the workflow. */
  async read<T>(path: string, query = ''): Promise<T> {
    return (await inProcess(this.core, this.logger, { method: 'GET', path, query, headers: {} })).body as T;
  }
}

async function replayOrder(replay: Replay, id: string, k: number, patient: Patient, network: NetworkDirectory, staff: Map<string, StaffMember>): Promise<number> {
  const plan = planOf(k);
  const now = Date.now();
  const decision = plan.end === 'not-eligible' ? 'not-eligible' : 'eligible';
  const { request, assessment, generalPractitioner } = homeCareOrder(id, k, patient, network, { byPatient: plan.byPatient, decision, now });
  const clinician = staffCaller(generalPractitioner, 'clinician');
  const patientCaller: Caller = {
    kind: 'user', user: `Patient/${patient.id}`, account: 'patient-app', roles: ['patient'], organizations: [],
    scopes: ['patient/*.rs', 'patient/ServiceRequest.cru'], patient: `Patient/${patient.id}`,
  };
  await replay.put(plan.byPatient ? patientCaller : clinician, request);
  await replay.put(clinician, assessment);
  if (decision === 'not-eligible') {
    await replay.put(clinician, { ...request, status: 'revoked' });
    return replay.written;
  }
  const dispatched = await replay.send<Parameters>(clinician, 'POST', `ServiceRequest/${id}/$dispatch`);
  let taskRef = dispatched.parameter?.find((p) => p.name === 'task')?.valueReference?.reference as string;
  if (plan.declineFirst) {
    const task = await replay.read<Task>(taskRef);
    await replay.put(nurseCaller(task, staff), step(task, 'rejected', now + 5 * minute, { statusReason: { text: '该时段已有其他上门服务' } }));
    // The decline passed the order on (the home-care rules do, in the decline's transaction): the
    // next nurse's Task. A core built without those rules (a test's) leaves it to the clinic to dispatch again.
    taskRef =
      (await openVisitOf(replay, id)) ??
      ((await replay.send<Parameters>(clinician, 'POST', `ServiceRequest/${id}/$dispatch`)).parameter?.find((p) => p.name === 'task')?.valueReference?.reference as string);
  }
  if (plan.end === 'requested') {
    return replay.written;
  }
  let task = await replay.read<Task>(taskRef);
  const nurse = nurseCaller(task, staff);
  task = await replay.put(nurse, step(task, 'accepted', now + 10 * minute));
  if (plan.end === 'accepted') {
    return replay.written;
  }
  const start = Date.parse(request.occurrencePeriod?.start as string) + 15 * minute;
  const home = addressPosition(patient.address?.[0]);
  task = await replay.put(
    nurse,
    step(task, 'in-progress', start, {
      executionPeriod: { start: networkDateTime(start) },
      contained: [{ resourceType: 'Location', id: 'check-in', status: 'active', mode: 'instance', ...(home ? { position: home } : {}) }],
      input: [...(task.input ?? []), { type: { coding: [workflowCoding('check-in', 'Check-in place')] }, valueReference: { reference: '#check-in' } }],
    })
  );
  const end = start + (25 + (k % 4) * 10) * minute;
  const procedure: Procedure = {
    resourceType: 'Procedure',
    id: `${id}-proc`,
    basedOn: [ref('ServiceRequest', id)],
    status: 'completed',
    code: request.code,
    subject: ref('Patient', patient.id as string),
    performedPeriod: { start: networkDateTime(start), end: networkDateTime(end) },
    performer: [{ actor: ref('PractitionerRole', task.owner?.reference?.split('/')[1] as string) }],
  };
  await replay.put(nurse, procedure);
  await replay.put(
    nurse,
    step(task, 'completed', end, {
      executionPeriod: { start: networkDateTime(start), end: networkDateTime(end) },
      output: [{ type: { coding: [workflowCoding('visit-record', 'Service record')], text: '上门服务记录' }, valueReference: ref('Procedure', procedure.id as string) }],
    })
  );
  await replay.put(clinician, { ...request, status: 'completed' });
  return replay.written;
}

function staffCaller(member: StaffMember, role: 'clinician' | 'nurse'): Caller {
  return {
    kind: 'user', user: `PractitionerRole/${member.roleId}`, account: `replay-${member.roleId}`, roles: [role],
    organizations: [`Organization/${member.organizationId}`], scopes: ['user/*.cruds'],
  };
}

/** The nurse who owns the visit, as a caller. */
function nurseCaller(task: Task, staff: Map<string, StaffMember>): Caller {
  const nurse = staff.get(task.owner?.reference ?? '');
  if (!nurse) {
    throw new Error(`home-care replay: ${task.owner?.reference} is not a home-care nurse of the network`);
  }
  return staffCaller(nurse, 'nurse');
}

/** The visit moved to its next status at `at`, without its stored meta. */
function step(task: Task, status: Task['status'], at: number, extra: Partial<Task> = {}): Task {
  const { meta: _meta, ...rest } = task;
  return { ...rest, status, lastModified: networkDateTime(at), ...extra };
}

async function openVisitOf(replay: Replay, requestId: string): Promise<string | undefined> {
  const bundle = await replay.read<{ entry?: { resource: Task }[] }>('Task', `focus=ServiceRequest/${requestId}&status=requested&code=${workflowCoding('home-visit').system}|home-visit`);
  const open = bundle.entry?.[0]?.resource;
  return open ? `Task/${open.id}` : undefined;
}
