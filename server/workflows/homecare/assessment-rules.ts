// The write rules of eligibility assessments (Tasks coded eligibility-assessment): the patient's
// family-doctor team assesses a home-care order before it is dispatched. The Task is owned by the
// patient's team (a CareTeam with the patient's general practitioner among its members); a member of
// that team (or the clinic's HIS, or the administrator) writes it (403, home-care-assessment-who); a
// completed assessment states its decision, eligible or not-eligible, and is not changed afterwards
// (422, home-care-assessment).
import type { CareTeam, Patient, Task } from '@medplum/fhirtypes';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import { isJudgedCaller } from '../../fhir/pipeline/caller';
import { rolesOf } from './callers';
import { homeCareTaskKind } from './codes';
import { eligibilityDecision, focusRequest, readReference } from './order';
import { isFinal } from './visit-transitions';

export const assessmentRule = 'home-care-assessment';
export const assessmentWhoRule = 'home-care-assessment-who';

export const homeCareAssessmentRule: WriteRule = {
  name: 'home-care-assessment',
  async check(write, tx): Promise<void> {
    if (write.resourceType !== 'Task') {
      return;
    }
    const previousVersion = await write.previous();
    const previous = previousVersion && !previousVersion.deleted ? (previousVersion.resource as Task) : undefined;
    const task = write.resource as Task | undefined;
    const isAssessment = (t: Task | undefined): boolean => !!t && homeCareTaskKind(t) === 'eligibility-assessment';
    if (!(isAssessment(task) || isAssessment(previous))) {
      return;
    }
    if (previous && task && JSON.stringify({ ...previous, meta: undefined }) === JSON.stringify({ ...task, meta: undefined })) {
      return;
    }
    if (!task) {
      // Deleting an assessment would lose the auditors' trail: only the administrator removes one (a
      // patient's record erased with _cascade=delete, say).
      if (isJudgedCaller(write.caller) && !rolesOf(write.caller).includes('administrator')) {
        throw ruleViolation(assessmentWhoRule, 'An eligibility assessment is not deleted', 'Task', 403);
      }
      return;
    }
    if (previous && isFinal(previous.status)) {
      throw ruleViolation(assessmentRule, `The assessment is ${previous.status}; a decided assessment is not changed`, 'Task.status');
    }
    const request = await focusRequest(tx, task);
    if (!request) {
      throw ruleViolation(assessmentRule, 'An eligibility assessment has a home-care ServiceRequest as its focus', 'Task.focus');
    }
    if (task.for?.reference !== request.subject?.reference) {
      throw ruleViolation(assessmentRule, `The assessment is for the order's patient (${request.subject?.reference})`, 'Task.for');
    }
    const patient = await readReference<Patient>(tx, request.subject?.reference, 'Patient');
    const team = await readReference<CareTeam>(tx, task.owner?.reference, 'CareTeam');
    const members = new Set((team?.participant ?? []).map((p) => p.member?.reference));
    if (!team || !patient?.generalPractitioner?.some((gp) => members.has(gp.reference))) {
      throw ruleViolation(assessmentRule, `An eligibility assessment is owned by the patient's family-doctor team (the CareTeam of ${request.subject?.reference}'s general practitioner)`, 'Task.owner');
    }
    checkWho(write, team, members);
    if (task.status === 'completed' && !eligibilityDecision(task)) {
      throw ruleViolation(assessmentRule, "A completed assessment states its decision: an output of type 'eligibility-decision', eligible or not-eligible", 'Task.output');
    }
  },
};

/** A member of the team, the HIS of the team's clinic, or the administrator. */
function checkWho(write: PendingWrite, team: CareTeam, members: Set<string | undefined>): void {
  const { caller } = write;
  if (!isJudgedCaller(caller) || rolesOf(caller).includes('administrator')) {
    return;
  }
  const member = caller.kind === 'user' && members.has(caller.user);
  const clinicSystem =
    caller.kind === 'client' && rolesOf(caller).includes('his-vendor') && (team.managingOrganization ?? []).some((o) => caller.organizations.includes(o.reference ?? ''));
  if (!member && !clinicSystem) {
    throw ruleViolation(assessmentWhoRule, `Only the patient's family-doctor team (CareTeam/${team.id}) assesses this order`, 'Task', 403);
  }
}
