// The write rule of the cloud pharmacy's dispenses (MedicationDispense authorized by a cloud-pharmacy
// prescription): written by a pharmacist of the cloud pharmacy (403 otherwise), performed by the cloud
// pharmacy, only for an approved prescription, of its medication, never more in total than the approved
// quantity (dispensed amounts converted to the approved unit by UCUM, or refused); delivery moves
// forward (preparation, in-progress, completed), a home delivery on its way carries its tracking
// number, and a completed one says when it was handed over.
import type { MedicationDispense, MedicationRequest, Quantity } from '@medplum/fhirtypes';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../fhir/pipeline/write-rules';
import type { StoreOperations } from '../../store/port';
import { cloudPharmacyOf, readResource, referenceFilter, reviewOf, searchAll, urls } from './cloud-pharmacy';
import { actsForPharmacy } from './review-task-rule';
import { ucumSystem } from '../../search/indexing/ucum-canonical';
import { quantityIn } from './ucum-amounts';

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

/**
 * The dispensed amounts, this one and the others of the prescription, each in the approved quantity's
 * unit (converted by UCUM where the units are commensurable, ucum-amounts.ts), never more in total than
 * the approved quantity. Amounts that cannot be converted are refused, never compared as bare numbers.
 */
async function checkQuantity(id: string, dispense: MedicationDispense, request: MedicationRequest, tx: StoreOperations): Promise<void> {
  const approved = request.dispenseRequest?.quantity;
  if (dispense.quantity?.value === undefined || !approved?.value) {
    throw ruleViolation(`${dispenseRule}/quantity`, `A dispense states its quantity, and the prescription its approved quantity (${unitOf(approved)})`, 'MedicationDispense.quantity');
  }
  const amount = quantityIn(dispense.quantity, approved);
  if (amount === undefined) {
    throw ruleViolation(`${dispenseRule}/unit`, `The dispensed quantity in ${unitOf(dispense.quantity)} cannot be converted to the approved unit (${unitOf(approved)}): give it in that unit or a UCUM unit commensurable with it`, 'MedicationDispense.quantity');
  }
  const others = await searchAll(tx, 'MedicationDispense', [referenceFilter('MedicationDispense', 'prescription', 'MedicationRequest', request.id as string)], 1000);
  let already = 0;
  for (const other of others.filter((v) => v.id !== id && !notCounted.has((v.resource as MedicationDispense).status))) {
    const quantity = (other.resource as MedicationDispense).quantity;
    const counted = quantity?.value === undefined ? 0 : quantityIn(quantity, approved);
    if (counted === undefined) {
      throw ruleViolation(`${dispenseRule}/unit`, `MedicationDispense/${other.id} gives its quantity in ${unitOf(quantity)}, which cannot be converted to the approved unit (${unitOf(approved)}): what was dispensed cannot be counted`, 'MedicationDispense.quantity');
    }
    already += counted;
  }
  const total = Number((already + (notCounted.has(dispense.status) ? 0 : amount)).toPrecision(12));
  if (total > approved.value) {
    throw ruleViolation(`${dispenseRule}/quantity`, `${total} ${unitOf(approved)} would be dispensed in all; ${approved.value} were approved`, 'MedicationDispense.quantity');
  }
}

/** A quantity's unit for messages: its code (with the system when not UCUM), or its text. */
function unitOf(quantity: Quantity | undefined): string {
  if (!quantity?.code) {
    return quantity?.unit ? `'${quantity.unit}' (no coded unit)` : 'no unit';
  }
  return quantity.system === ucumSystem ? quantity.code : `${quantity.system ?? 'no system'}|${quantity.code}`;
}
