// The automated pre-screen of an online prescription ("software plus pharmacist", ../shared/MISSION.md):
// formulary, excluded classes, days of supply (refusing checks) and daily dose, frequency, route,
// duplicate therapy, allergies and interactions (findings the pharmacist weighs). Used by the write rule
// on every write of a request addressed to the cloud pharmacy and by MedicationRequest/$review.
import type { AllergyIntolerance, ClinicalImpression, Condition, DocumentReference, MedicationRequest, Reference } from '@medplum/fhirtypes';
import type { StoreOperations } from '../../store/port';
import { codeIn, readResource, referenceFilter, searchAll, splitReference, tokenFilter, token, urls } from './cloud-pharmacy';
import { administrationsPerDay, dailyDose } from './dose';
import { drugCodes, type FormularyProduct, type PharmacyTerminology } from './formulary';

export type CheckCode = 'formulary' | 'excluded-class' | 'days-of-supply' | 'dose-range' | 'frequency' | 'route' | 'duplicate-therapy' | 'allergy' | 'interaction';
/** 'refuse': the write is refused; the others are DetectedIssue severities, recorded for the pharmacist. */
export type FindingSeverity = 'refuse' | 'high' | 'moderate' | 'low';

export interface Finding {
  check: CheckCode;
  severity: FindingSeverity;
  text: string;
  /** The element at fault, as a FHIRPath on the request. */
  expression: string;
  /** Other resources implicated (the other request, the allergy). */
  implicated?: Reference[];
}

/** Days of supply: 7 for an ordinary prescription; a long one up to 4 weeks, up to 12 with the evaluation. */
export const supplyLimits = { ordinary: 7, long: 28, longWithEvaluation: 84 } as const;
const daysPerUnit: Record<string, number> = { d: 1, wk: 7 };
const atcSystem = 'http://www.whocc.no/atc';
/** Statuses of other requests that are still therapy the patient takes or is about to take. */
const liveStatuses = ['active', 'draft', 'on-hold'];

const dispense = 'MedicationRequest.dispenseRequest.expectedSupplyDuration';

export function productOf(request: MedicationRequest, terminology: PharmacyTerminology): FormularyProduct | undefined {
  const code = request.medicationCodeableConcept?.coding?.find((c) => c.system === urls.formulary)?.code;
  return code === undefined ? undefined : terminology.products.get(code);
}

/**
 * Every finding of the automated review of `request` (as it would be stored), refusing ones first;
 * with `refusingOnly`, only the checks that refuse a write (for a request that arrives decided, whose
 * other findings nobody would read).
 */
export async function reviewPrescription(request: MedicationRequest, tx: StoreOperations, terminology: PharmacyTerminology, refusingOnly = false): Promise<Finding[]> {
  const product = productOf(request, terminology);
  if (!product) {
    return [{ check: 'formulary', severity: 'refuse', text: 'The medication is not a product of the network formulary (https://fhir.dhc.example/CodeSystem/formulary)', expression: 'MedicationRequest.medication' }];
  }
  const findings: Finding[] = [];
  if (product.excludedClass) {
    findings.push({
      check: 'excluded-class',
      severity: 'refuse',
      text: `${product.display ?? product.code} belongs to an excluded class (${product.excludedClass}) that is never prescribed online`,
      expression: 'MedicationRequest.medication',
    });
  }
  findings.push(...(await daysOfSupply(request, product, tx)));
  if (refusingOnly) {
    return findings;
  }
  findings.push(...dosage(request, product));
  findings.push(...(await withOtherTherapy(request, product, tx, terminology)));
  findings.push(...(await allergies(request, product, tx)));
  const order: FindingSeverity[] = ['refuse', 'high', 'moderate', 'low'];
  return findings.sort((a, b) => order.indexOf(a.severity) - order.indexOf(b.severity));
}

async function daysOfSupply(request: MedicationRequest, product: FormularyProduct, tx: StoreOperations): Promise<Finding[]> {
  const duration = request.dispenseRequest?.expectedSupplyDuration;
  const perUnit = daysPerUnit[duration?.code ?? ''];
  if (duration?.value === undefined || perUnit === undefined || duration.system !== 'http://unitsofmeasure.org') {
    return [{ check: 'days-of-supply', severity: 'refuse', text: 'The expected supply duration is required, in days (UCUM d) or weeks (wk)', expression: dispense }];
  }
  const days = duration.value * perUnit;
  const long = request.extension?.find((e) => e.url === urls.longPrescription);
  const refuse = (text: string, expression = dispense): Finding[] => [{ check: 'days-of-supply', severity: 'refuse', text, expression }];
  if (days <= supplyLimits.ordinary) {
    return [];
  }
  if (!long) {
    return refuse(`${days} days of supply: an ordinary prescription is for at most ${supplyLimits.ordinary} days; a longer one must be a long prescription (long-prescription extension)`);
  }
  if (!product.longPrescriptionAllowed) {
    return refuse(`${product.display ?? product.code} may not be long-prescribed`, 'MedicationRequest.medication');
  }
  if (days > supplyLimits.longWithEvaluation) {
    return refuse(`${days} days of supply: a long prescription is for at most ${supplyLimits.longWithEvaluation} days (12 weeks)`);
  }
  const subject = request.subject?.reference;
  const part = (url: string): Reference | undefined => long.extension?.find((e) => e.url === url)?.valueReference;
  // A long prescription is for a stable chronic patient: the condition it treats is the patient's and active.
  const condition = await readResource<Condition>(tx, part('condition'), 'Condition');
  const active = condition?.clinicalStatus?.coding?.some((c) => c.code === 'active' || c.code === 'recurrence' || c.code === 'relapse');
  if (!condition || condition.subject?.reference !== subject || !active) {
    return refuse('A long prescription names an active chronic condition of the same patient (long-prescription condition)', 'MedicationRequest.extension');
  }
  if (days > supplyLimits.long) {
    const reference = part('evaluation');
    const type = splitReference(reference)?.[0];
    const evaluation = type === 'ClinicalImpression' || type === 'DocumentReference' ? await readResource<ClinicalImpression | DocumentReference>(tx, reference, type) : undefined;
    const documented = evaluation?.resourceType === 'ClinicalImpression' ? evaluation.status === 'completed' && evaluation.subject?.reference === subject : evaluation?.status === 'current' && evaluation.subject?.reference === subject;
    if (!documented) {
      return refuse(`${days} days of supply: more than ${supplyLimits.long} days needs the documented evaluation of the patient's stability (a completed ClinicalImpression or current DocumentReference of the same patient)`, 'MedicationRequest.extension');
    }
  }
  return [];
}

function dosage(request: MedicationRequest, product: FormularyProduct): Finding[] {
  const dosages = request.dosageInstruction ?? [];
  const findings: Finding[] = [];
  if (!dosages.length || dosages.some((d) => administrationsPerDay(d) === undefined)) {
    findings.push({ check: 'frequency', severity: 'high', text: 'The dosage gives no valid frequency (timing.repeat frequency per period)', expression: 'MedicationRequest.dosageInstruction.timing' });
  }
  for (const [i, d] of dosages.entries()) {
    const route = codeIn(d.route, urls.route);
    if (route === undefined) {
      findings.push({ check: 'route', severity: 'high', text: 'The route is missing or not coded in the network route list', expression: `MedicationRequest.dosageInstruction[${i}].route` });
    } else if (product.route && route !== product.route) {
      findings.push({ check: 'route', severity: 'high', text: `Route ${route} does not fit ${product.display ?? product.code} (${product.route})`, expression: `MedicationRequest.dosageInstruction[${i}].route` });
    }
  }
  const daily = dailyDose(dosages, product);
  if (daily === undefined) {
    if (dosages.length) {
      findings.push({ check: 'dose-range', severity: 'low', text: `The daily dose could not be compared with the formulary range (in ${product.doseUnit})`, expression: 'MedicationRequest.dosageInstruction.doseAndRate' });
    }
  } else if ((product.dailyDoseMax !== undefined && daily > product.dailyDoseMax) || (product.dailyDoseMin !== undefined && daily < product.dailyDoseMin)) {
    findings.push({
      check: 'dose-range',
      severity: product.dailyDoseMax !== undefined && daily > product.dailyDoseMax ? 'high' : 'moderate',
      text: `Daily dose ${daily} ${product.doseUnit} is outside the formulary range ${product.dailyDoseMin}-${product.dailyDoseMax} ${product.doseUnit} for ${product.route}`,
      expression: 'MedicationRequest.dosageInstruction.doseAndRate',
    });
  }
  return findings;
}

/** Duplicate therapy and interactions with the patient's other live requests. */
async function withOtherTherapy(request: MedicationRequest, product: FormularyProduct, tx: StoreOperations, terminology: PharmacyTerminology): Promise<Finding[]> {
  const patient = splitReference(request.subject);
  if (!patient) {
    return [];
  }
  const others = await searchAll(tx, 'MedicationRequest', [
    referenceFilter('MedicationRequest', 'subject', 'Patient', patient[1]),
    tokenFilter('MedicationRequest', 'status', liveStatuses.map((s) => token(s))),
  ]);
  const codes = drugCodes(product);
  const findings: Finding[] = [];
  for (const other of others) {
    const otherRequest = other.resource as MedicationRequest;
    const otherProduct = other.id === request.id ? undefined : productOf(otherRequest, terminology);
    if (!otherProduct) {
      continue;
    }
    const implicated = [{ reference: `MedicationRequest/${other.id}` }];
    const name = otherProduct.display ?? otherProduct.code;
    if (otherProduct.generic === product.generic) {
      findings.push({ check: 'duplicate-therapy', severity: 'moderate', text: `Same ingredient as MedicationRequest/${other.id} (${name})`, expression: 'MedicationRequest.medication', implicated });
    } else if (otherProduct.drugClass === product.drugClass) {
      findings.push({ check: 'duplicate-therapy', severity: 'low', text: `Same drug class (${product.drugClass}) as MedicationRequest/${other.id} (${name})`, expression: 'MedicationRequest.medication', implicated });
    }
    const otherCodes = drugCodes(otherProduct);
    for (const interaction of terminology.interactions) {
      const [a, b] = interaction.agents;
      if ((codes.includes(a) && otherCodes.includes(b)) || (codes.includes(b) && otherCodes.includes(a))) {
        findings.push({
          check: 'interaction',
          severity: interaction.severity,
          text: `${interaction.display ?? interaction.code} with MedicationRequest/${other.id} (${name}); source: ${interaction.source ?? 'the network interaction table'}`,
          expression: 'MedicationRequest.medication',
          implicated,
        });
      }
    }
  }
  return findings;
}

/** The patient's documented allergies (not refuted, not resolved) to the product, its ingredient or class. */
async function allergies(request: MedicationRequest, product: FormularyProduct, tx: StoreOperations): Promise<Finding[]> {
  const patient = splitReference(request.subject);
  if (!patient) {
    return [];
  }
  const found = await searchAll(tx, 'AllergyIntolerance', [referenceFilter('AllergyIntolerance', 'patient', 'Patient', patient[1])]);
  const codes = drugCodes(product);
  const findings: Finding[] = [];
  for (const { id, resource } of found) {
    const allergy = resource as AllergyIntolerance;
    const verification = allergy.verificationStatus?.coding?.[0]?.code;
    const clinical = allergy.clinicalStatus?.coding?.[0]?.code;
    if (verification === 'refuted' || verification === 'entered-in-error' || clinical === 'inactive' || clinical === 'resolved') {
      continue;
    }
    const substances = [allergy.code, ...(allergy.reaction ?? []).map((r) => r.substance)].flatMap((c) => c?.coding ?? []);
    const matches = substances.some(
      (c) => (c.system === urls.formulary && codes.includes(c.code ?? '')) || (c.system === atcSystem && c.code !== undefined && product.atc?.startsWith(c.code) === true)
    );
    if (matches) {
      findings.push({
        check: 'allergy',
        severity: allergy.criticality === 'low' ? 'moderate' : 'high',
        text: `Documented allergy (AllergyIntolerance/${id}) to ${product.display ?? product.code}, its ingredient or class`,
        expression: 'MedicationRequest.medication',
        implicated: [{ reference: `AllergyIntolerance/${id}` }],
      });
    }
  }
  return findings;
}
