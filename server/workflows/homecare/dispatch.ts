// Dispatch: the checks an order must pass to be dispatched, and the choice of its nurse. Used by
// $dispatch (dispatch-operation.ts) and by the pass to the next nurse after a decline
// (redispatch-on-decline.ts).
import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { conflict, FhirError, issue } from '../../outcomes';
import type { StoreOperations } from '../../store/port';
import { rankNurses, type NurseRanking } from './candidates';
import { assessedEligible, isOpenVisit, orderHome, workflowTasks } from './order';

/** Why an order cannot be dispatched now (422), or undefined when it may be. */
export async function dispatchRefusal(store: StoreOperations, request: ServiceRequest): Promise<string | undefined> {
  if (request.status !== 'active') {
    return `ServiceRequest/${request.id} is ${request.status}; only an active request is dispatched`;
  }
  if (!(await assessedEligible(store, request.id as string))) {
    return `ServiceRequest/${request.id} has no completed eligibility assessment deciding 'eligible': the family-doctor team assesses it first`;
  }
  if (!(await orderHome(store, request))) {
    return `ServiceRequest/${request.id} gives no position of the home (the geolocation extension on the home address)`;
  }
  return undefined;
}

/** The ranking for an order, leaving out the nurses who declined it; throws 409 when a visit is already open. */
export async function rankForOrder(store: StoreOperations, request: ServiceRequest): Promise<NurseRanking> {
  const visits = await workflowTasks(store, request.id as string, 'home-visit');
  const open = visits.find(isOpenVisit);
  if (open) {
    throw conflict(`ServiceRequest/${request.id} is already dispatched: Task/${open.id} (${open.status}, ${open.owner?.reference})`);
  }
  const declined = new Set(visits.filter((t: Task) => t.status === 'rejected').map((t) => t.owner?.reference ?? ''));
  return rankNurses(store, request, await orderHome(store, request), declined);
}

/** The answer when no nurse may take the order: 422, saying how many were authorized and why each group was left out. */
export function noCandidate(request: ServiceRequest, ranking: NurseRanking): FhirError {
  const code = request.code?.coding?.[0]?.code ?? '';
  const reasons = [
    ranking.outsideArea && `${ranking.outsideArea} do not serve the home`,
    ranking.offDuty && `${ranking.offDuty} are not on duty at the requested time`,
    ranking.busy && `${ranking.busy} already have their maximum of open visits`,
    ranking.declined && `${ranking.declined} declined it`,
  ].filter(Boolean);
  const text =
    ranking.authorized === 0
      ? `No active home-care nurse is authorized for '${code}'; ServiceRequest/${request.id} cannot be dispatched`
      : `No home-care nurse can take ServiceRequest/${request.id}: of ${ranking.authorized} authorized for '${code}', ${reasons.join(', ')}`;
  return new FhirError(422, [issue('business-rule', text, 'ServiceRequest')]);
}
