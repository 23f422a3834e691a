// The write rule of cloud-pharmacy prescriptions: every MedicationRequest addressed to the cloud pharmacy
// (whatever profile it claims) is pre-screened on create and on every change of what was prescribed;
// a refusing finding refuses the write (422), the others go to the pharmacist as DetectedIssues with a
// review Task. The review outcome is the pharmacist's: a request shows a decision only when its review
// Task, completed by a pharmacist, records it, and takes effect (active) only once approved. A change of
// medication, dose or duration voids an approval and sends the request back to review.
import type { Extension, MedicationRequest, Task } from '@medplum/fhirtypes';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { cloudPharmacyOf, decisionOf, decisions, isReviewTask, readResource, reviewOf, urls } from './cloud-pharmacy';
import { pharmacyTerminology } from './formulary';
import { reviewPrescription } from './review-checks';
import { startReview } from './review-effects';

export const prescriptionRule = 'cloud-prescription';

/** Statuses in which a request waits for (or is in) review: a change then starts a new review. */
const reviewableStatuses = new Set(['draft', 'on-hold', 'active']);

/** What the pharmacist approves: the medication, the dosage, the quantity and duration, the patient. */
function prescribed(request: MedicationRequest): string {
  const long: Extension | undefined = request.extension?.find((e) => e.url === urls.longPrescription);
  const { quantity, expectedSupplyDuration, numberOfRepeatsAllowed } = request.dispenseRequest ?? {};
  return JSON.stringify([request.medicationCodeableConcept, request.medicationReference, request.dosageInstruction, quantity, expectedSupplyDuration, numberOfRepeatsAllowed, long, request.subject]);
}

export const cloudPrescriptionRule: WriteRule = {
  name: prescriptionRule,
  async check(write: PendingWrite, tx: StoreOperations): Promise<void> {
    if (write.resourceType !== 'MedicationRequest' || !write.resource || write.effectOf?.rule === prescriptionRule) {
      return;
    }
    const request = write.resource as MedicationRequest;
    const before = await write.previous();
    const previous = before?.deleted ? undefined : (before?.resource as MedicationRequest | undefined);
    const pharmacy = await cloudPharmacyOf(tx, request);
    if (!pharmacy) {
      if (previous && (await cloudPharmacyOf(tx, previous))) {
        throw ruleViolation(prescriptionRule, 'A cloud-pharmacy prescription cannot be re-addressed away from the cloud pharmacy; cancel it and write a new one', 'MedicationRequest.dispenseRequest.performer');
      }
      return;
    }
    const review = reviewOf(request);
    const earlier = previous ? reviewOf(previous) : undefined;
    const decided = review.status !== undefined && decisions.includes(review.status as never);
    const outcomeChanged = !earlier || earlier.status !== review.status || earlier.task?.reference !== review.task?.reference || previous?.status !== request.status;
    if ((request.status === 'active' || request.status === 'completed') && review.status !== 'approved') {
      throw ruleViolation(`${prescriptionRule}/review-outcome`, 'An online prescription takes effect (active) only after a pharmacist approved it', 'MedicationRequest.status');
    }
    if (decided && outcomeChanged) {
      // Checked on the transaction's end state, where a completed review Task written with it is visible.
      write.atEnd(async (end) => {
        const task = await readResource<Task>(end, review.task, 'Task');
        const shown = isReviewTask(task) && task.status === 'completed' && task.focus?.reference === `MedicationRequest/${write.id}` && decisionOf(task) === review.status;
        if (!shown) {
          throw ruleViolation(
            `${prescriptionRule}/review-outcome`,
            `The review outcome '${review.status}' is set by the pharmacist completing the review Task, not by editing the request`,
            'MedicationRequest.extension'
          );
        }
      });
    }
    const changed = !previous || prescribed(previous) !== prescribed(request);
    if (!changed) {
      return;
    }
    // A change after a decision needs a new one: an approval is voided (the request is held), a returned
    // request revised. A request that arrives decided with its completed review Task (a replayed
    // history) was reviewed already: only the refusing checks apply to it.
    const redecide = earlier?.status !== undefined && decisions.includes(earlier.status as never);
    const toReview = (!decided || redecide) && reviewableStatuses.has(request.status);
    const terminology = await pharmacyTerminology(tx);
    const findings = terminology
      ? await reviewPrescription(request, tx, terminology, !toReview)
      : [{ check: 'formulary' as const, severity: 'refuse' as const, text: 'No network formulary is loaded', expression: 'MedicationRequest.medication' }];
    const refusing = findings.find((f) => f.severity === 'refuse');
    if (refusing) {
      throw ruleViolation(`${prescriptionRule}/${refusing.check}`, refusing.text, refusing.expression);
    }
    if (toReview) {
      const reference = `Organization/${pharmacy.id}`;
      const hold = earlier?.status === 'approved';
      write.afterwards((effects) => startReview(effects, write.id, reference, findings.filter((f) => f.severity !== 'refuse'), hold));
    }
  },
};
