// Number index values as the range of their implicit precision: 100 -> [99.5, 100.5), 1.5 -> [1.45, 1.55).
// The JSON's trailing zeros (1.50) are gone once parsed, so the precision is the value's own decimals.
// https://hl7.org/fhir/R4/search.html#number
import type { TypedValue } from '@medplum/core';
import type { Range } from '@medplum/fhirtypes';
import type { NumberValue } from './types';

/** The open ends of a Range without low or high: finite, so that every store compares them alike. */
export const lowest = -Number.MAX_VALUE;
export const highest = Number.MAX_VALUE;

export function addNumberValues(values: TypedValue[], out: NumberValue[]): void {
  for (const { value } of values) {
    if (typeof value === 'number') {
      // The value itself too: prefixes other than eq, ne and ap compare it without precision.
      out.push({ value, ...precisionRange(value) });
    } else if (typeof value === 'object' && value !== null && ('low' in value || 'high' in value)) {
      const range = value as Range;
      const low = typeof range.low?.value === 'number' ? precisionRange(range.low.value).low : lowest;
      const high = typeof range.high?.value === 'number' ? precisionRange(range.high.value).high : highest;
      out.push({ low, high });
    }
  }
}

/** [value - half a unit of the last decimal, value + half a unit), computed on integers to avoid 2.2499999. */
export function precisionRange(value: number): NumberValue {
  const decimals = decimalPlaces(value);
  if (decimals >= 0 && decimals <= 15) {
    const scale = 10 ** decimals;
    const units = Math.round(value * scale);
    return { low: (2 * units - 1) / (2 * scale), high: (2 * units + 1) / (2 * scale) };
  }
  const half = 0.5 * 10 ** -decimals;
  return { low: value - half, high: value + half };
}

/** Decimals of the shortest text of the value: 1.5 -> 1, 100 -> 0, 1e-7 -> 7, 1e21 -> -21. */
function decimalPlaces(value: number): number {
  const text = String(value);
  const exponentAt = text.indexOf('e');
  const mantissa = exponentAt < 0 ? text : text.slice(0, exponentAt);
  const exponent = exponentAt < 0 ? 0 : Number(text.slice(exponentAt + 1));
  const point = mantissa.indexOf('.');
  const mantissaDecimals = point < 0 ? 0 : mantissa.length - point - 1;
  return mantissaDecimals - exponent;
}
