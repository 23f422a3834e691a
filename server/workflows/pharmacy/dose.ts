// The daily dose of a dosage instruction in the formulary's dose unit (R4 Dosage:
// https://hl7.org/fhir/R4/dosage.html): dose per administration times administrations a day, with a
// dose given in units of the product (tablets, capsules) converted through its labelled strength.
import type { Dosage } from '@medplum/fhirtypes';
import type { FormularyProduct } from './formulary';
import { convertUcum, ucumAmount } from './ucum-amounts';

const periodInDays: Record<string, number> = { h: 1 / 24, d: 1, wk: 7, mo: 30 };

/** Administrations a day from timing.repeat (frequency per period); undefined when it does not say. */
export function administrationsPerDay(dosage: Dosage): number | undefined {
  const repeat = dosage.timing?.repeat;
  const frequency = repeat?.frequency ?? (repeat?.period !== undefined ? 1 : undefined);
  const days = repeat?.period !== undefined && repeat.periodUnit ? repeat.period * (periodInDays[repeat.periodUnit] ?? NaN) : undefined;
  if (frequency === undefined || days === undefined || !(frequency > 0) || !(days > 0)) {
    return undefined;
  }
  return frequency / days;
}

/** '5 mg' → { value: 5, unit: 'mg' }; undefined for combinations and concentrations ('300 U/3 mL'). */
function parseStrength(strength: string | undefined): { value: number; unit: string } | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(μg|ug|mg|g)$/.exec(strength?.trim() ?? '');
  return match ? { value: Number(match[1]), unit: match[2] === 'μg' ? 'ug' : match[2] } : undefined;
}

/** One administration's dose in the product's dose unit; undefined when the units cannot be compared. */
function doseInProductUnit(value: number, unit: string, product: FormularyProduct): number | undefined {
  const target = product.doseUnit;
  if (!target) {
    return undefined;
  }
  if (unit === 'U' && target === '[IU]') {
    return value;
  }
  const converted = convertUcum(value, unit, target);
  if (converted !== undefined) {
    return converted;
  }
  // Pieces of the product to a mass, through its labelled strength.
  const strength = parseStrength(product.strength);
  if (ucumAmount(unit).dimension === 'count' && strength && ucumAmount(target).dimension === 'mass') {
    return convertUcum(value * strength.value, strength.unit, target);
  }
  return undefined;
}

/** The daily dose of all the dosage instructions, in the product's dose unit; undefined when not computable. */
export function dailyDose(dosages: readonly Dosage[], product: FormularyProduct): number | undefined {
  let total = 0;
  for (const dosage of dosages) {
    const dose = dosage.doseAndRate?.[0]?.doseQuantity;
    const perDay = administrationsPerDay(dosage);
    const unit = dose?.code ?? dose?.unit;
    const perAdministration = dose?.value !== undefined && unit ? doseInProductUnit(dose.value, unit, product) : undefined;
    if (perAdministration === undefined || perDay === undefined) {
      return undefined;
    }
    total += perAdministration * perDay;
  }
  return dosages.length ? Math.round(total * 1e6) / 1e6 : undefined;
}
