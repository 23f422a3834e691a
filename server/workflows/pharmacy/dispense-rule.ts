// The write rule of the cloud pharmacy's dispenses (MedicationDispense authorized by a cloud-pharmacy
// prescription): written by a pharmacist of the cloud pharmacy (403 otherwise), performed by the cloud
// pharmacy, only for an approved prescription, of its medication, never more in total than the approved
// quantity; delivery moves forward (preparation, in-progress, completed), a home delivery on its way
// carries its tracking number, and a completed one says when it was handed over.
import type { MedicationDispense, MedicationRequest } from '@medplum/fhirtypes';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { cloudPharmacyOf, readResource, referenceFilter, reviewOf, searchAll, urls } from './cloud-pharmacy';
import { actsForPharmacy } from './review-task-rule';

export const dispenseRule = 'cloud-pharmacy-dispense';

/** The delivery's forward order; the other statuses end it (entered-in-error corrects a mistake at any time). */
const progress: Record<string, number> = { preparation: 0, 'in-progress': 1, completed: 2 };
const endings = new Set(['cancelled', 'stopped', 'declined', 'on-hold', 'entered-in-error']);
/** Dispenses that did not hand anything over do not count against the approved quantity. */
const notCounted = new Set(['cancelled', 'declined', 'entered-in-error']);

export const cloudDispenseRule: WriteRule = {
  name: dispenseRule,
  async check(write: PendingWrite, tx: StoreOperations): Promise<void> {
    if (write.resourceType !== 'MedicationDispense' || !write.resource) {
      return;
    }
    const dispense = write.resource as MedicationDispense;
    const prescriptions = dispense.authorizingPrescription ?? [];
    const requests = (await Promise.all(prescriptions.map((p) => readResource<MedicationRequest>(tx, p, 'MedicationRequest')))).filter((r) => r !== undefined);
    // Written with its prescription in one transaction (a replayed history): judged at its end.
    const pending = prescriptions.length > requests.length;
    const judge = async (end: StoreOperations): Promise<void> => {
      const all = pending ? (await Promise.all(prescriptions.map((p) => readResource<MedicationRequest>(end, p, 'MedicationRequest')))).filter((r) => r !== undefined) : requests;
      for (const request of all) {
        const pharmacy = await cloudPharmacyOf(end, request);
        if (pharmacy) {
          await checkDispense(write, dispense, request, `Organization/${pharmacy.id}`, end);
        }
      }
    };
    if (pending) {
      write.atEnd(judge);
    } else {
      await judge(tx);
    }
  },
};

async function checkDispense(write: PendingWrite, dispense: MedicationDispense, request: MedicationRequest, pharmacy: string, tx: StoreOperations): Promise<void> {
  if (!actsForPharmacy(write.caller, pharmacy)) {
    throw ruleViolation(`${dispenseRule}/pharmacist`, 'Only a pharmacist of the cloud pharmacy dispenses a cloud-pharmacy prescription', 'MedicationDispense', 403);
  }
  if (!dispense.performer?.some((p) => p.actor?.reference === pharmacy)) {
    throw ruleViolation(`${dispenseRule}/performer`, `The cloud pharmacy (${pharmacy}) is the dispense's performer`, 'MedicationDispense.performer');
  }
  const review = reviewOf(request);
  if (review.status !== 'approved' || (request.status !== 'active' && request.status !== 'completed')) {
    throw ruleViolation(`${dispenseRule}/approval`, `MedicationRequest/${request.id} is not approved by a pharmacist (review ${review.status ?? 'missing'}, status ${request.status}): nothing is dispensed before approval`, 'MedicationDispense.authorizingPrescription');
  }
  const code = (concept: MedicationRequest['medicationCodeableConcept']): string | undefined => concept?.coding?.find((c) => c.system === urls.formulary)?.code;
  if (code(dispense.medicationCodeableConcept) !== code(request.medicationCodeableConcept)) {
    throw ruleViolation(`${dispenseRule}/medication`, 'The dispensed medication is the approved one', 'MedicationDispense.medication');
  }
  const before = await write.previous();
  const previous = before?.deleted ? undefined : (before?.resource as MedicationDispense | undefined);
  checkProgress(previous?.status, dispense);
  await checkQuantity(write.id, dispense, request, tx);
}

function checkProgress(from: string | undefined, dispense: MedicationDispense): void {
  const to = dispense.status;
  const backwards = from !== undefined && from in progress && to in progress && progress[to] < progress[from];
  const afterEnd = from !== undefined && (from === 'completed' || endings.has(from)) && from !== to && to !== 'entered-in-error';
  if (backwards || afterEnd) {
    throw ruleViolation(`${dispenseRule}/status`, `A dispense moves forward (preparation, in-progress, completed); ${from} cannot become ${to}`, 'MedicationDispense.status');
  }
  const home = dispense.extension?.some((e) => e.url === urls.homeAddress);
  if (home && (to === 'in-progress' || to === 'completed') && !dispense.identifier?.some((i) => i.system === urls.tracking && i.value)) {
    throw ruleViolation(`${dispenseRule}/tracking`, `A home delivery on its way carries its tracking number (identifier system ${urls.tracking})`, 'MedicationDispense.identifier');
  }
  if (to === 'completed' && !dispense.whenHandedOver) {
    throw ruleViolation(`${dispenseRule}/status`, 'A completed dispense says when it was handed over (whenHandedOver)', 'MedicationDispense.whenHandedOver');
  }
}

async function checkQuantity(id: string, dispense: MedicationDispense, request: MedicationRequest, tx: StoreOperations): Promise<void> {
  const approved = request.dispenseRequest?.quantity;
  const unit = (q: { code?: string; unit?: string } | undefined): string | undefined => q?.code ?? q?.unit;
  if (!dispense.quantity || dispense.quantity.value === undefined || !approved?.value || unit(dispense.quantity) !== unit(approved)) {
    throw ruleViolation(`${dispenseRule}/quantity`, `The dispensed quantity is given in the approved unit (${unit(approved) ?? 'none'})`, 'MedicationDispense.quantity');
  }
  const others = await searchAll(tx, 'MedicationDispense', [referenceFilter('MedicationDispense', 'prescription', 'MedicationRequest', request.id as string)], 1000);
  const already = others
    .filter((v) => v.id !== id && !notCounted.has((v.resource as MedicationDispense).status))
    .reduce((sum, v) => sum + ((v.resource as MedicationDispense).quantity?.value ?? 0), 0);
  const counted = notCounted.has(dispense.status) ? 0 : dispense.quantity.value;
  if (already + counted > approved.value) {
    throw ruleViolation(`${dispenseRule}/quantity`, `${already + counted} ${unit(approved)} would be dispensed in all; ${approved.value} were approved`, 'MedicationDispense.quantity');
  }
}
