// The write rules of home visits (Tasks coded home-visit in the home-care workflow CodeSystem): who
// may write them (403, rule home-care-visit-who), the moves between statuses (422,
// home-care-visit-transition), and what each status must record (422, home-care-visit-record): the
// patient of the order, a nurse authorized for the service who serves the home, the check-in time and
// place, the service record of the same patient and the visit's duration. docs/workflows.md, "Home care".
import type { Location, PractitionerRole, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { serviceArea } from './candidates';
import { isJudgedCaller } from '../../fhir/pipeline/caller';
import { isDispatcher, isPersonOf, rolesOf } from './callers';
import { homeCareTaskKind, serviceCode, typedParameter } from './codes';
import { authorizedServices } from './nurse-roster';
import { distanceKm, locationPosition } from './geo';
import { assessedEligible, focusRequest, isOpenVisit, orderHome, readReference, workflowTasks } from './order';
import { redispatchAfterDecline } from './redispatch-on-decline';
import { initialStatuses, isFinal, mayMove, moverOf, startedStatuses } from './visit-transitions';

export const visitWhoRule = 'home-care-visit-who';
export const visitTransitionRule = 'home-care-visit-transition';
export const visitRecordRule = 'home-care-visit-record';

/** How far from the home (km) a check-in may be: a phone's position error and the size of a block. */
export const checkInToleranceKm = 1;

/** The Task's content without meta, to tell an unchanged write (a seed loaded again) from a change. */
const content = (task: Resource | undefined): string => JSON.stringify({ ...task, meta: undefined });

export const homeVisitRule: WriteRule = {
  name: 'home-care-visit',
  async check(write, tx): Promise<void> {
    const previousVersion = write.resourceType === 'Task' ? await write.previous() : undefined;
    const previous = previousVersion && !previousVersion.deleted ? (previousVersion.resource as Task) : undefined;
    const task = write.resource as Task | undefined;
    const isVisit = (t: Task | undefined): boolean => !!t && homeCareTaskKind(t) === 'home-visit';
    if (write.resourceType !== 'Task' || !(isVisit(task) || isVisit(previous))) {
      return;
    }
    if (!task) {
      // Deleting a visit would lose the auditors' trail: only the administrator removes one.
      if (isJudgedCaller(write.caller) && !write.caller.roles.includes('administrator')) {
        throw ruleViolation(visitWhoRule, 'A home visit is not deleted; the clinic cancels it (status cancelled)', 'Task', 403);
      }
      return;
    }
    if (previous && content(previous) === content(task)) {
      return;
    }
    const request = await focusRequest(tx, task);
    if (!request) {
      throw ruleViolation(visitRecordRule, 'A home visit has a home-care ServiceRequest as its focus', 'Task.focus');
    }
    const owner = await readReference<PractitionerRole>(tx, task.owner?.reference, 'PractitionerRole');
    await checkWho(write, task, previous, owner, tx);
    checkTransition(task, previous);
    await checkRecord(write, task, previous, request, owner, tx);
    if (task.status === 'rejected' && previous?.status !== 'rejected') {
      write.atEnd((end) => redispatchAfterDecline(end, request));
    }
  },
};

async function checkWho(write: PendingWrite, task: Task, previous: Task | undefined, owner: PractitionerRole | undefined, tx: StoreOperations): Promise<void> {
  const { caller } = write;
  if (!isJudgedCaller(caller)) {
    return;
  }
  if (!previous) {
    if (!isDispatcher(caller)) {
      throw ruleViolation(visitWhoRule, 'Home visits are dispatched by the clinic ($dispatch); your role does not dispatch', 'Task', 403);
    }
    return;
  }
  const previousOwnerRole =
    previous.owner?.reference === task.owner?.reference ? owner : await readReference<PractitionerRole>(tx, previous.owner?.reference, 'PractitionerRole');
  const isOwner = isPersonOf(caller, previous.owner?.reference, previousOwnerRole);
  const mover = task.status === previous.status ? (isOwner ? 'owner' : 'dispatcher') : moverOf(task.status);
  if (mover === 'owner' && !isOwner) {
    throw ruleViolation(visitWhoRule, `Only the nurse this visit is dispatched to (${previous.owner?.reference}) moves it`, 'Task.status', 403);
  }
  if (mover === 'dispatcher' && !isDispatcher(caller)) {
    throw ruleViolation(visitWhoRule, 'Only the clinic that dispatched a home visit cancels or changes it', 'Task.status', 403);
  }
}

function checkTransition(task: Task, previous: Task | undefined): void {
  if (!previous) {
    return;
  }
  if (isFinal(previous.status)) {
    throw ruleViolation(visitTransitionRule, `The visit is ${previous.status}; a finished visit is not changed`, 'Task.status');
  }
  if (task.status !== previous.status && !mayMove(previous.status, task.status)) {
    throw ruleViolation(visitTransitionRule, `A home visit does not move from ${previous.status} to ${task.status}`, 'Task.status');
  }
  for (const [element, before, after] of [
    ['Task.owner', previous.owner?.reference, task.owner?.reference],
    ['Task.for', previous.for?.reference, task.for?.reference],
    ['Task.focus', previous.focus?.reference, task.focus?.reference],
  ] as const) {
    if (before !== after) {
      // A declined visit passes to the next nurse as a new Task: a Task is one nurse's assignment.
      throw ruleViolation(visitTransitionRule, `${element} of a dispatched visit is not changed (was ${before})`, element);
    }
  }
  if (task.status !== previous.status && (!task.lastModified || (previous.lastModified && Date.parse(task.lastModified) < Date.parse(previous.lastModified)))) {
    throw ruleViolation(visitTransitionRule, 'Each step of a visit records its time in Task.lastModified, not earlier than the previous step', 'Task.lastModified');
  }
}

async function checkRecord(write: PendingWrite, task: Task, previous: Task | undefined, request: ServiceRequest, owner: PractitionerRole | undefined, tx: StoreOperations): Promise<void> {
  if (task.for?.reference !== request.subject?.reference) {
    throw ruleViolation(visitRecordRule, `The visit is for the order's patient (${request.subject?.reference})`, 'Task.for');
  }
  const home = await orderHome(tx, request);
  if (!previous || previous.owner?.reference !== task.owner?.reference) {
    await checkOwner(task, request, owner, home, tx);
  }
  // A visit starts requested ($dispatch). A later state is written only as recorded history: by the
  // server's own seed, or by the administrator loading it (the generator's loads over the API), and it
  // must then hold everything that state records (below).
  if (!previous && isJudgedCaller(write.caller) && !rolesOf(write.caller).includes('administrator') && !initialStatuses.includes(task.status)) {
    throw ruleViolation(visitTransitionRule, `A home visit is created requested (by $dispatch), not ${task.status}`, 'Task.status');
  }
  if (startedStatuses.includes(task.status)) {
    await checkCheckIn(task, home, tx);
  }
  if (task.status === 'rejected' && !task.statusReason?.text && !task.statusReason?.coding?.length) {
    throw ruleViolation(visitRecordRule, 'A nurse who declines a visit says why (Task.statusReason)', 'Task.statusReason');
  }
  if (task.status === 'completed') {
    checkDuration(task);
    write.atEnd((end) => checkServiceRecord(end, task));
  }
  if (!previous) {
    write.atEnd((end) => checkDispatchable(end, task, request));
  }
}

/** The owner is an active nurse role authorized for the service, whose service area contains the home. */
async function checkOwner(task: Task, request: ServiceRequest, owner: PractitionerRole | undefined, home: ReturnType<typeof locationPosition>, tx: StoreOperations): Promise<void> {
  if (!owner || owner.active === false) {
    throw ruleViolation(visitRecordRule, 'A home visit is owned by an active PractitionerRole of a home-care nurse', 'Task.owner');
  }
  const code = serviceCode(request.code);
  if (!code || !authorizedServices(owner).has(code)) {
    throw ruleViolation(visitRecordRule, `${task.owner?.reference} is not authorized for the home-care service '${code}'`, 'Task.owner');
  }
  const base = await readReference<Location>(tx, owner.location?.[0]?.reference, 'Location');
  if (home && !serviceArea(base, home)) {
    throw ruleViolation(visitRecordRule, `The home of ${request.subject?.reference} is outside the service area of ${task.owner?.reference}`, 'Task.owner');
  }
}

/** A started visit records its check-in: executionPeriod.start and the place (a Location with a position near the home). */
async function checkCheckIn(task: Task, home: ReturnType<typeof locationPosition>, tx: StoreOperations): Promise<void> {
  if (!task.executionPeriod?.start) {
    throw ruleViolation(visitRecordRule, 'A started visit records the check-in time (Task.executionPeriod.start)', 'Task.executionPeriod.start');
  }
  const reference = typedParameter(task.input, 'check-in')?.valueReference?.reference;
  const place = reference?.startsWith('#')
    ? (task.contained?.find((r) => r.resourceType === 'Location' && r.id === reference.slice(1)) as Location | undefined)
    : await readReference<Location>(tx, reference, 'Location');
  const position = locationPosition(place);
  if (!position) {
    throw ruleViolation(visitRecordRule, "A started visit records the check-in place: an input of type 'check-in' referring to a Location with a position", 'Task.input');
  }
  if (home && distanceKm(position, home) > checkInToleranceKm) {
    throw ruleViolation(visitRecordRule, `The check-in place is ${distanceKm(position, home).toFixed(1)} km from the patient's home (at most ${checkInToleranceKm} km)`, 'Task.input');
  }
}

function checkDuration(task: Task): void {
  const { start, end } = task.executionPeriod ?? {};
  if (!start || !end || Date.parse(end) < Date.parse(start)) {
    throw ruleViolation(visitRecordRule, 'A completed visit records its duration: Task.executionPeriod with an end not before its start', 'Task.executionPeriod');
  }
}

/** Checked at the end of the transaction, so that a Bundle may write the record after the Task. */
async function checkServiceRecord(tx: StoreOperations, task: Task): Promise<void> {
  const record = typedParameter(task.output, 'visit-record')?.valueReference?.reference ?? '';
  if (!/^(Procedure|Observation)\//.test(record)) {
    throw ruleViolation(visitRecordRule, "A completed visit has its service record as an output of type 'visit-record': a Procedure or an Observation", 'Task.output');
  }
  for (const [i, output] of (task.output ?? []).entries()) {
    const reference = output.valueReference?.reference;
    const [type] = (reference ?? '').split('/');
    const target = reference && !reference.startsWith('#') ? await readReference<Resource & { subject?: { reference?: string }; patient?: { reference?: string } }>(tx, reference, type) : undefined;
    if (reference === record && !target) {
      throw ruleViolation(visitRecordRule, `The service record ${record} is not stored`, `Task.output[${i}]`);
    }
    const patient = target?.subject?.reference ?? target?.patient?.reference;
    if (target && patient !== task.for?.reference) {
      throw ruleViolation(visitRecordRule, `${reference} is a record of ${patient ?? 'no patient'}, not of the visit's patient ${task.for?.reference}`, `Task.output[${i}]`);
    }
  }
}

/** A new visit needs an order assessed eligible, and is the order's only open visit. */
async function checkDispatchable(tx: StoreOperations, task: Task, request: ServiceRequest): Promise<void> {
  if (!(await assessedEligible(tx, request.id as string))) {
    throw ruleViolation(visitRecordRule, `ServiceRequest/${request.id} is dispatched only after its eligibility assessment decided 'eligible'`, 'Task.focus');
  }
  if (isOpenVisit(task)) {
    if (request.status !== 'active') {
      throw ruleViolation(visitRecordRule, `ServiceRequest/${request.id} is ${request.status}; an open visit is for an active request`, 'Task.focus');
    }
    const open = (await workflowTasks(tx, request.id as string, 'home-visit')).filter(isOpenVisit);
    if (open.length > 1) {
      throw ruleViolation(visitRecordRule, `ServiceRequest/${request.id} already has an open visit (Task/${open.find((t) => t.id !== task.id)?.id})`, 'Task.focus', 409);
    }
  }
}
