// What the review writes, inside the transaction of the write that caused it (write effects,
// server/fhir/pipeline/write-effects.ts): the review Task for a pharmacist of the cloud pharmacy, the
// automated findings as DetectedIssues implicating the request, the request's review extension; and
// once the pharmacist decided, the request's new status.
import type { DetectedIssue, MedicationRequest, PractitionerRole, Reference, Task } from '@medplum/fhirtypes';
import { randomUUID } from 'node:crypto';
import type { StoreOperations } from '../../store/port';
import { isPharmacistRoleOf, isReviewTask, readResource, referenceFilter, reviewOf, reviewTaskCode, searchAll, statusAfter, urls, withReview } from './cloud-pharmacy';
import type { Finding } from './review-checks';

/** Task statuses of a review still waiting for the pharmacist. */
export const openTaskStatuses = new Set(['draft', 'requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold']);

/** The pharmacist of the cloud pharmacy a new review goes to: spread over them by the request's id. */
async function assignPharmacist(tx: StoreOperations, pharmacy: string, requestId: string): Promise<Reference<PractitionerRole> | undefined> {
  const roles = (await searchAll(tx, 'PractitionerRole', [referenceFilter('PractitionerRole', 'organization', 'Organization', pharmacy.split('/')[1])], 500))
    .filter((v) => isPharmacistRoleOf(v.resource as PractitionerRole, pharmacy))
    .map((v) => v.id)
    .sort();
  if (!roles.length) {
    return undefined;
  }
  let hash = 0;
  for (const char of requestId) {
    hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  }
  return { reference: `PractitionerRole/${roles[hash % roles.length]}` };
}

function detectedIssue(id: string, request: MedicationRequest, finding: Finding, identified: string): DetectedIssue {
  return {
    resourceType: 'DetectedIssue',
    id,
    status: 'final',
    code: { coding: [{ system: urls.check, code: finding.check }], text: finding.text },
    severity: finding.severity === 'refuse' ? 'high' : finding.severity,
    ...(request.subject ? { patient: { reference: request.subject.reference } } : {}),
    identifiedDateTime: identified,
    implicated: [{ reference: `MedicationRequest/${request.id}` }, ...(finding.implicated ?? [])],
    detail: finding.text,
  };
}

/**
 * Puts the request (as stored now) into review: reuses the open review Task its extension names, or
 * creates one owned by a pharmacist of the cloud pharmacy; records the findings; marks the request
 * software-prescreened (and on hold when `hold`: an approval voided by a change).
 */
export async function startReview(tx: StoreOperations, requestId: string, pharmacy: string, findings: Finding[], hold: boolean): Promise<void> {
  const current = await tx.readCurrent('MedicationRequest', requestId);
  const request = current?.resource as MedicationRequest | undefined;
  if (!request || current?.deleted) {
    return;
  }
  const now = new Date().toISOString();
  const named = await readResource<Task>(tx, reviewOf(request).task, 'Task');
  let task = isReviewTask(named) && named.focus?.reference === `MedicationRequest/${requestId}` && openTaskStatuses.has(named.status) ? named : undefined;
  if (!task) {
    const owner = await assignPharmacist(tx, pharmacy, requestId);
    const created: Task = {
      resourceType: 'Task',
      id: randomUUID(),
      status: 'requested',
      intent: 'order',
      priority: 'routine',
      code: { coding: [{ system: urls.taskCode, code: reviewTaskCode, display: 'Pharmacist review of an online prescription' }], text: '处方审核' },
      description: 'Cloud-pharmacy prescription review: software pre-screen, pharmacist decision',
      focus: { reference: `MedicationRequest/${requestId}` },
      ...(request.subject ? { for: { reference: request.subject.reference } } : {}),
      authoredOn: now,
      ...(request.requester ? { requester: { reference: request.requester.reference } } : {}),
      ...(owner ? { owner } : {}),
    };
    await tx.create(created);
    task = created;
  }
  for (const [i, finding] of findings.entries()) {
    await tx.update(detectedIssue(`${task.id}-${i + 1}`, request, finding, now));
  }
  const reviewed = withReview(request, 'software-prescreened', { reference: `Task/${task.id}` });
  await tx.update({ ...reviewed, status: hold ? 'on-hold' : request.status });
}

/** Applies a completed review Task's decision to its request, unless the request already shows it. */
export async function applyDecision(tx: StoreOperations, task: Task, decision: string, reviewer: Reference | undefined): Promise<void> {
  const focus = task.focus?.reference?.split('/')[1];
  const current = focus ? await tx.readCurrent('MedicationRequest', focus) : undefined;
  const request = current?.resource as MedicationRequest | undefined;
  if (!request || current?.deleted) {
    return;
  }
  const review = reviewOf(request);
  const status = statusAfter[decision];
  if (review.status === decision && review.task?.reference === `Task/${task.id}` && request.status === status) {
    return;
  }
  const decided = withReview(request, decision as 'approved', { reference: `Task/${task.id}` }, { reviewer, reviewedOn: new Date().toISOString() });
  await tx.update({ ...decided, status });
}
