// Amounts of a medication in UCUM units (https://ucum.org/ucum), converted from one unit to another
// where UCUM makes them commensurable: mass (g with its metric prefixes), volume (L or l with its
// prefixes) and counted pieces. UCUM reads a unit that is only an annotation ({tablet}, {capsule}) as
// the unity 1 (its rule for annotations in curly braces), so pieces of one product count one for one. Every other unit,
// arbitrary units such as [IU] among them, converts only to itself: comparing such amounts as bare
// numbers is what the callers refuse.
import type { Quantity } from '@medplum/fhirtypes';
import { ucumSystem } from '../../search/indexing/ucum-canonical';

const metricPrefixes: Record<string, number> = { '': 1, k: 1e3, d: 1e-1, c: 1e-2, m: 1e-3, u: 1e-6, n: 1e-9 };

/** A unit's kind of amount and its factor to that kind's base unit (g, L, one piece). */
export interface UnitAmount {
  /** 'mass', 'volume', 'count', or the unit code itself for a unit that converts to nothing else. */
  dimension: string;
  factor: number;
}

/** What a UCUM code measures, and its factor to the base unit of that. */
export function ucumAmount(code: string): UnitAmount {
  if (code === '1' || /^\{[^{}]*\}$/.test(code)) {
    return { dimension: 'count', factor: 1 };
  }
  const mass = /^([kdcmun]?)g$/.exec(code);
  if (mass) {
    return { dimension: 'mass', factor: metricPrefixes[mass[1]] };
  }
  const volume = /^([dcmu]?)[lL]$/.exec(code);
  if (volume) {
    return { dimension: 'volume', factor: metricPrefixes[volume[1]] };
  }
  return { dimension: code, factor: 1 };
}

/** `value` of `from` in `to` (UCUM codes), or undefined when UCUM does not convert between them. */
export function convertUcum(value: number, from: string, to: string): number | undefined {
  const source = ucumAmount(from);
  const target = ucumAmount(to);
  if (source.dimension !== target.dimension) {
    return undefined;
  }
  // Rounded to 12 significant digits, so that 0.5 g is 500 mg and not 499.99999999999994.
  return source.factor === target.factor ? value : Number(((value * source.factor) / target.factor).toPrecision(12));
}

/**
 * The quantity's value in the unit of `unitOf`: converted when both are UCUM quantities with
 * commensurable codes, as is when both name the same code of the same other system; undefined
 * otherwise (no value, no coded unit, or units that do not convert).
 */
export function quantityIn(quantity: Quantity | undefined, unitOf: Quantity | undefined): number | undefined {
  if (quantity?.value === undefined || !quantity.code || !unitOf?.code) {
    return undefined;
  }
  if (quantity.system === ucumSystem && unitOf.system === ucumSystem) {
    return convertUcum(quantity.value, quantity.code, unitOf.code);
  }
  return quantity.system === unitOf.system && quantity.code === unitOf.code ? quantity.value : undefined;
}
