// Quantity index values: Quantity and its profiles (Age, Duration, Distance, Count), Money, Range, and bare
// numbers, each with its implicit precision range and, for units in the UCUM table, canonical values.
// https://hl7.org/fhir/R4/search.html#quantity
import type { TypedValue } from '@medplum/core';
import type { Money, Quantity, Range } from '@medplum/fhirtypes';
import { highest, lowest, precisionRange } from './number-values';
import type { QuantityValue } from './types';
import { canonicalUnit, scaleToCanonical } from './ucum-canonical';

const currencySystem = 'urn:iso:std:iso:4217';

export function addQuantityValues(values: TypedValue[], out: QuantityValue[]): void {
  for (const { type, value } of values) {
    if (typeof value === 'number') {
      out.push({ value, ...precisionRange(value) });
    } else if (typeof value === 'object' && value !== null) {
      if (type === 'Range' || 'low' in value || 'high' in value) {
        addRange(value as Range, out);
      } else if (type === 'Money' || 'currency' in value) {
        addMoney(value as Money, out);
      } else if (typeof value.value === 'number') {
        // SampledData (R4 lists it for value-quantity) has no value and is not indexed.
        addQuantity(value as Quantity, out);
      }
    }
  }
}

function addQuantity(quantity: Quantity, out: QuantityValue[]): void {
  const value = quantity.value as number;
  let { low, high } = precisionRange(value);
  // A comparator states a bound, not a value: '<5' is anything below 5, '<=5' anything up to 5's precision.
  switch (quantity.comparator) {
    case '<':
      low = lowest;
      high = value;
      break;
    case '<=':
      low = lowest;
      break;
    case '>':
      low = value;
      high = highest;
      break;
    case '>=':
      high = highest;
      break;
  }
  const entry: QuantityValue = { value, low, high };
  setUnit(entry, quantity);
  setCanonical(entry, quantity);
  out.push(entry);
}

function addRange(range: Range, out: QuantityValue[]): void {
  const lowValue = range.low?.value;
  const highValue = range.high?.value;
  if (typeof lowValue !== 'number' && typeof highValue !== 'number') {
    return;
  }
  const low = typeof lowValue === 'number' ? precisionRange(lowValue).low : lowest;
  const high = typeof highValue === 'number' ? precisionRange(highValue).high : highest;
  const entry: QuantityValue = { low, high };
  const unitSource = (typeof lowValue === 'number' ? range.low : range.high) as Quantity;
  setUnit(entry, unitSource);
  setCanonical(entry, unitSource);
  out.push(entry);
}

function addMoney(money: Money, out: QuantityValue[]): void {
  if (typeof money.value !== 'number') {
    return;
  }
  const entry: QuantityValue = { value: money.value, ...precisionRange(money.value) };
  if (money.currency) {
    entry.system = currencySystem;
    entry.code = money.currency;
  }
  out.push(entry);
}

function setUnit(entry: QuantityValue, quantity: Quantity): void {
  if (quantity.system !== undefined) entry.system = quantity.system;
  if (quantity.code !== undefined) entry.code = quantity.code;
  if (quantity.unit !== undefined) entry.unit = quantity.unit;
}

/** The entry's value and range in its dimension's canonical unit, where the UCUM unit is in the table. */
function setCanonical(entry: QuantityValue, unit: Quantity): void {
  const canonical = canonicalUnit(unit.system, unit.code);
  if (!canonical) {
    return;
  }
  const [code, factor] = canonical;
  entry.canonicalCode = code;
  if (entry.value !== undefined) {
    entry.canonicalValue = scaleToCanonical(entry.value, factor);
  }
  entry.canonicalLow = scaleToCanonical(entry.low, factor);
  entry.canonicalHigh = scaleToCanonical(entry.high, factor);
}
