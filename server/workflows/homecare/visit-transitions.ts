// The statuses a home visit moves through, after the Task state machine of R4
// (https://hl7.org/fhir/R4/task.html#statemachine), and who moves it: the nurse who owns it accepts or
// rejects it, starts it (check-in) and completes it; the clinic cancels it while it is not started.
import type { Task } from '@medplum/fhirtypes';

export type VisitStatus = Task['status'];

const nextStatuses: Partial<Record<VisitStatus, readonly VisitStatus[]>> = {
  requested: ['accepted', 'rejected', 'cancelled'],
  received: ['accepted', 'rejected', 'cancelled'],
  accepted: ['in-progress', 'cancelled'],
  ready: ['in-progress', 'cancelled'],
  'in-progress': ['completed', 'failed', 'on-hold'],
  'on-hold': ['in-progress', 'failed', 'cancelled'],
};

/** The statuses a visit may be created in by a person or an app: dispatch creates it requested. */
export const initialStatuses: readonly VisitStatus[] = ['requested'];

export function isFinal(status: VisitStatus): boolean {
  return nextStatuses[status] === undefined;
}

export function mayMove(from: VisitStatus, to: VisitStatus): boolean {
  return nextStatuses[from]?.includes(to) ?? false;
}

/** Who makes a move: the owner nurse, except a cancellation, which is the dispatcher's (the clinic's). */
export function moverOf(to: VisitStatus): 'owner' | 'dispatcher' {
  return to === 'cancelled' ? 'dispatcher' : 'owner';
}

/** The statuses whose Task records a visit that started: the check-in time and place are required. */
export const startedStatuses: readonly VisitStatus[] = ['in-progress', 'on-hold', 'completed'];
