// A nurse who declines a visit passes the order on: inside the transaction of the decline, the next
// nurse of the ranking (the nurses who declined it left out) gets a new home-visit Task. The new Task is
// written with the transaction's own operations, as a side effect of the decline the rules accepted: it
// is the server's work, made by the same builder as $dispatch's. When no nurse is left, nothing is
// written: the order stays active without an open visit, and $dispatch says why no one can take it.
import type { ServiceRequest } from '@medplum/fhirtypes';
import type { StoreOperations } from '../../store/port';
import { rankNurses } from './candidates';
import { isOpenVisit, orderHome, readReference, workflowTasks } from './order';
import { visitTask } from './visit-task';

export async function redispatchAfterDecline(tx: StoreOperations, order: ServiceRequest): Promise<void> {
  const request = (await readReference<ServiceRequest>(tx, `ServiceRequest/${order.id}`, 'ServiceRequest')) ?? order;
  if (request.status !== 'active') {
    return;
  }
  const visits = await workflowTasks(tx, request.id as string, 'home-visit');
  if (visits.some(isOpenVisit)) {
    return;
  }
  const declined = new Set(visits.filter((t) => t.status === 'rejected').map((t) => t.owner?.reference ?? ''));
  const [next] = (await rankNurses(tx, request, await orderHome(tx, request), declined)).candidates;
  if (next) {
    await tx.create(await visitTask(tx, request, next));
  }
}
