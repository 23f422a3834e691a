// The home-care rules find their Tasks by Task.code (codes.ts); this rule makes sure that no Task about
// a home-care order escapes them by leaving the code out or changing it: a Task that claims the
// home-care task profile, or whose focus or basedOn is a home-care ServiceRequest, carries exactly one
// of the workflow's codes (eligibility-assessment or home-visit), and keeps it (422, rule
// home-care-task-code). Other Tasks (the cloud pharmacy's reviews, follow-ups) are not concerned.
import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { ruleViolation, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { hasWorkflowCode, homeCareTaskKind, homeCareTaskProfile, serviceCode } from './codes';
import { readReference } from './order';

export const taskCodeRule = 'home-care-task-code';

export const homeCareTaskCodeRule: WriteRule = {
  name: taskCodeRule,
  async check(write): Promise<void> {
    if (write.resourceType !== 'Task' || !write.resource) {
      return;
    }
    const task = write.resource as Task;
    const kind = homeCareTaskKind(task);
    if (hasWorkflowCode(task.code, 'eligibility-assessment') && hasWorkflowCode(task.code, 'home-visit')) {
      throw ruleViolation(taskCodeRule, 'A home-care Task is either an eligibility assessment or a home visit (Task.code), not both', 'Task.code');
    }
    const before = await write.previous();
    const previousKind = before?.resource ? homeCareTaskKind(before.resource as Task) : undefined;
    if (previousKind && kind !== previousKind) {
      throw ruleViolation(taskCodeRule, `Task/${write.id} is a home-care ${previousKind} and stays one (Task.code)`, 'Task.code');
    }
    if (kind) {
      return;
    }
    if (task.meta?.profile?.includes(homeCareTaskProfile)) {
      throw ruleViolation(taskCodeRule, `A Task claiming ${homeCareTaskProfile} carries the home-care workflow's code of its step (home-visit or eligibility-assessment)`, 'Task.code');
    }
    // At the end of the transaction: a Bundle may write the order after the Task.
    write.atEnd(async (end) => {
      const order = await homeCareOrderOf(end, task);
      if (order) {
        throw ruleViolation(taskCodeRule, `A Task about the home-care order ${order} carries the home-care workflow's code of its step (home-visit or eligibility-assessment)`, 'Task.code');
      }
    });
  },
};

/** The first home-care ServiceRequest the Task's focus or basedOn names ('ServiceRequest/<id>'); undefined when none does. */
async function homeCareOrderOf(tx: StoreOperations, task: Task): Promise<string | undefined> {
  for (const reference of [task.focus?.reference, ...(task.basedOn ?? []).map((b) => b.reference)]) {
    const request = await readReference<ServiceRequest>(tx, reference, 'ServiceRequest');
    if (request && serviceCode(request.code)) {
      return reference;
    }
  }
  return undefined;
}
