// A small table of UCUM units the network uses, each mapped to one canonical unit of its dimension by a
// constant factor, so quantity search compares 180 cm with 1.8 m. Only analyte-independent conversions: mass
// concentration (mg/dL -> g/L) and molar concentration (umol/L -> mmol/L) are separate dimensions, because
// converting between them (glucose mg/dL -> mmol/L) needs the analyte's molar mass. Temperatures (offsets)
// are not converted. https://hl7.org/fhir/R4/search.html#quantity, https://ucum.org/ucum
export const ucumSystem = 'http://unitsofmeasure.org';

/** UCUM code -> [canonical code, factor to multiply by]. */
const conversions: ReadonlyMap<string, readonly [string, number]> = new Map<string, readonly [string, number]>([
  // mass
  ['kg', ['kg', 1]],
  ['g', ['kg', 1e-3]],
  ['mg', ['kg', 1e-6]],
  ['[lb_av]', ['kg', 0.45359237]],
  // length
  ['cm', ['cm', 1]],
  ['m', ['cm', 100]],
  ['mm', ['cm', 0.1]],
  ['[in_i]', ['cm', 2.54]],
  // pressure
  ['mm[Hg]', ['mm[Hg]', 1]],
  ['kPa', ['mm[Hg]', 7.500616827]],
  // molar concentration
  ['mmol/L', ['mmol/L', 1]],
  ['mol/L', ['mmol/L', 1e3]],
  ['umol/L', ['mmol/L', 1e-3]],
  ['nmol/L', ['mmol/L', 1e-6]],
  // mass concentration
  ['g/L', ['g/L', 1]],
  ['g/dL', ['g/L', 10]],
  ['mg/dL', ['g/L', 1e-2]],
  ['mg/L', ['g/L', 1e-3]],
  // ratios and body mass index
  ['%', ['%', 1]],
  ['kg/m2', ['kg/m2', 1]],
]);

/** The canonical unit and factor for a UCUM code, or undefined when the unit is not in the table. */
export function canonicalUnit(system: string | undefined, code: string | undefined): readonly [string, number] | undefined {
  return system === ucumSystem && code !== undefined ? conversions.get(code) : undefined;
}

/** value * factor, rounded to 12 significant digits so that 1.8 m gives 180 cm, not 180.00000000000003. */
export function scaleToCanonical(value: number, factor: number): number {
  if (factor === 1 || !Number.isFinite(value) || Math.abs(value) === Number.MAX_VALUE) {
    return value;
  }
  return Number((value * factor).toPrecision(12));
}
