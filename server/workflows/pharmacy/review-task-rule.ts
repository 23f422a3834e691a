// The write rule of review Tasks (Task.code prescription-review of the cloud-pharmacy-task system): the
// Task focuses on a cloud-pharmacy prescription and is owned by a pharmacist of that cloud pharmacy; only
// a pharmacist of the cloud pharmacy completes it (403 for anyone else, the prescriber included), with a
// decision and, unless approving, a reason; a completed review is final. Completing it applies the
// decision to the request in the same transaction.
import type { MedicationRequest, PractitionerRole, Task } from '@medplum/fhirtypes';
import { isJudgedCaller, type Caller } from '../../fhir/pipeline/caller';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { cloudPharmacyOf, decisionOf, decisions, isPharmacistRoleOf, isReviewTask, readResource, reviewOf } from './cloud-pharmacy';
import { applyDecision } from './review-effects';

export const reviewTaskRule = 'cloud-pharmacy-review-task';

/**
 * Whether the caller may record the cloud pharmacy's decisions and dispenses: a pharmacist acting for it;
 * besides, the network's operators loading recorded history (the start-up seed as the server itself,
 * `npm run generate --target` and the benchmark with an administrator's token), whose review Tasks must
 * still be owned by a pharmacist of the cloud pharmacy and record the decision. A caller with no role to
 * check (isJudgedCaller: the server, or anyone with FHIR_AUTH=off) passes, as in home care: the
 * workflow's other rules still hold.
 */
export function actsForPharmacy(caller: Caller, pharmacy: string): boolean {
  return !isJudgedCaller(caller) || caller.roles.includes('administrator') || (caller.roles.includes('pharmacist') && caller.organizations.includes(pharmacy));
}

/** What a completed review may no longer change. */
const decisionOfRecord = (task: Task): string => JSON.stringify([task.status, task.output, task.statusReason, task.focus, task.owner, task.code]);

export const cloudReviewTaskRule: WriteRule = {
  name: reviewTaskRule,
  async check(write: PendingWrite, tx: StoreOperations): Promise<void> {
    if (write.resourceType !== 'Task') {
      return;
    }
    const before = await write.previous();
    const previous = before?.deleted ? undefined : (before?.resource as Task | undefined);
    const task = write.resource as Task | undefined;
    if (!isReviewTask(task) && !isReviewTask(previous)) {
      return;
    }
    if (!task) {
      // The trace of a review goes only with its prescription (a cascade delete of the patient, say).
      write.atEnd(async (end) => {
        if (await readResource<MedicationRequest>(end, previous?.focus, 'MedicationRequest')) {
          throw ruleViolation(`${reviewTaskRule}/final`, 'A review Task is deleted only with its prescription (cancel an open one instead)', 'Task');
        }
      });
      return;
    }
    if (previous?.status === 'completed' && decisionOfRecord(previous) !== decisionOfRecord(task)) {
      throw ruleViolation(`${reviewTaskRule}/final`, 'A completed prescription review is final; a changed prescription gets a new review', 'Task.status');
    }
    if (!isReviewTask(task)) {
      throw ruleViolation(reviewTaskRule, 'A review Task stays a review Task (Task.code)', 'Task.code');
    }
    const request = await readResource<MedicationRequest>(tx, task.focus, 'MedicationRequest');
    // The request may be written later in the same transaction (a replayed history): checked at its end then.
    const pharmacyOfFocus = async (end: StoreOperations): Promise<string> => {
      const focus = request ?? (await readResource<MedicationRequest>(end, task.focus, 'MedicationRequest'));
      const pharmacy = focus ? await cloudPharmacyOf(end, focus) : undefined;
      if (!pharmacy) {
        throw ruleViolation(`${reviewTaskRule}/focus`, 'A review Task focuses on a MedicationRequest addressed to the cloud pharmacy', 'Task.focus');
      }
      return `Organization/${pharmacy.id}`;
    };
    const completing = task.status === 'completed' && previous?.status !== 'completed';
    if (completing) {
      const decision = decisionOf(task);
      // Who decides is checked first: the wrong role learns nothing of what else is wrong.
      const pharmacy = request ? await pharmacyOfFocus(tx) : undefined;
      if (!actsForPharmacy(write.caller, pharmacy ?? '')) {
        throw ruleViolation(`${reviewTaskRule}/pharmacist`, 'Only a pharmacist of the cloud pharmacy completes a prescription review', 'Task.status', 403);
      }
      if (request?.requester?.reference && request.requester.reference === write.caller.user) {
        throw ruleViolation(`${reviewTaskRule}/pharmacist`, 'The prescriber cannot review their own prescription', 'Task.status', 403);
      }
      if (!decision || !decisions.includes(decision as never)) {
        throw ruleViolation(`${reviewTaskRule}/decision`, 'A completed review records its decision (output review-decision: approved, rejected or returned-for-revision)', 'Task.output');
      }
      if (decision !== 'approved' && !task.statusReason?.text && !task.statusReason?.coding?.length) {
        throw ruleViolation(`${reviewTaskRule}/reason`, `A ${decision} prescription needs the pharmacist's reason (Task.statusReason)`, 'Task.statusReason');
      }
    }
    write.atEnd(async (end) => {
      const pharmacy = await pharmacyOfFocus(end);
      const owner = await readResource<PractitionerRole>(end, task.owner, 'PractitionerRole');
      if (task.status !== 'draft' && task.status !== 'cancelled' && !isPharmacistRoleOf(owner, pharmacy)) {
        throw ruleViolation(`${reviewTaskRule}/owner`, 'A review Task is owned by a pharmacist (PractitionerRole) of the cloud pharmacy', 'Task.owner');
      }
      if (completing) {
        const focus = (await readResource<MedicationRequest>(end, task.focus, 'MedicationRequest')) as MedicationRequest;
        if (reviewOf(focus).task?.reference !== `Task/${task.id}`) {
          throw ruleViolation(`${reviewTaskRule}/current`, 'This review Task is not the current review of its prescription (the prescription changed since)', 'Task.focus', 409);
        }
      }
    });
    if (completing) {
      const reviewer = write.caller.user?.startsWith('PractitionerRole/') ? { reference: write.caller.user } : task.owner;
      write.afterwards((effects) => applyDecision(effects, task, decisionOf(task) as string, reviewer));
    }
  },
};
