// Conversion between the UCUM concentration units laboratory results are reported in
// (https://ucum.org/ucum): mass or amount of substance per volume, with their metric prefixes. A mass
// concentration becomes an amount-of-substance one through the analyte's molar mass (glucose 180.16 g/mol:
// 1 mmol/L = 18.016 mg/dL). Units of another shape convert only to themselves.

/** UCUM metric prefixes that laboratory units use. */
const prefixes: Record<string, number> = { '': 1, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9, p: 1e-12 };

interface Concentration {
  kind: 'mass' | 'amount';
  /** The factor to g/L (mass) or mol/L (amount). */
  factor: number;
}

function parseConcentration(unit: string): Concentration | undefined {
  const match = /^([dcmunp]?)(g|mol)\/([dcmunp]?)L$/.exec(unit);
  if (!match) {
    return undefined;
  }
  const [, numerator, base, denominator] = match;
  return { kind: base === 'g' ? 'mass' : 'amount', factor: prefixes[numerator] / prefixes[denominator] };
}

/**
 * The value in `to`, or undefined when the units cannot be converted (a mass to an amount needs
 * `molarMass` in g/mol). The result keeps at least 3 significant digits, and as many as the value had.
 */
export function convertConcentration(value: number, from: string, to: string, molarMass?: number): number | undefined {
  if (from === to) {
    return value;
  }
  const source = parseConcentration(from);
  const target = parseConcentration(to);
  if (!source || !target) {
    return undefined;
  }
  let base = value * source.factor;
  if (source.kind !== target.kind) {
    if (!molarMass) {
      return undefined;
    }
    base = source.kind === 'mass' ? base / molarMass : base * molarMass;
  }
  return roundToDigits(base / target.factor, Math.max(3, significantDigits(value)));
}

function significantDigits(value: number): number {
  const digits = String(Math.abs(value)).replace('.', '').replace(/^0+/, '');
  return digits.length || 1;
}

function roundToDigits(value: number, digits: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}
