// The meaning of each prefix as comparisons on a stored value's range [low, high), written as
// OR-of-ANDs so that every adapter can translate it directly. Dates, numbers and quantities all use
// it: each stored value and each search value is a half-open range (the implicit precision).
// https://hl7.org/fhir/R4/search.html#prefix and the date table in search.html#date
import type { RangeCondition } from './plan';

export interface RangeBound {
  /** Which end of the stored value's range is compared. */
  field: 'low' | 'high';
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** Alternatives (ORed), each a list of bounds (ANDed). */
export type RangeBounds = RangeBound[][];

/** How far 'ap' widens a search range on each side. */
export type Approximation = (condition: RangeCondition) => number;

/** Dates: 10% of the distance from now (the spec's suggestion), at least a day. */
export const dateApproximation =
  (now: number = Date.now()): Approximation =>
  ({ low, high }) =>
    Math.max(24 * 3600 * 1000, Math.abs(now - (low + high) / 2) * 0.1);

/** Numbers and quantities: 10% of the value. */
export const valueApproximation: Approximation = ({ low, high }) => Math.abs((low + high) / 2) * 0.1;

/**
 * A bound on one end that every alternative of `ge` and `le` implies (any stored range has low <= high):
 * each of those prefixes is an OR of two alternatives, which an index on one end cannot read as one range,
 * so a store scanned every value of the parameter from its start until it found its matches (a year's
 * Observations after a date: 76 ms at 350,000 resources). With this bound in front, it reads the
 * values past the bound only. Undefined for the other prefixes, whose alternatives are already ranges
 * of one end (or, for `ne`, share none).
 */
export function impliedBound(condition: RangeCondition): RangeBound | undefined {
  switch (condition.prefix) {
    case 'ge':
      // high > sh >= sl, or low >= sl with high >= low.
      return { field: 'high', op: '>=', value: condition.low };
    case 'le':
      // low < sl <= sh, or low <= sh.
      return { field: 'low', op: '<=', value: condition.high };
    default:
      return undefined;
  }
}

export function rangeBounds(condition: RangeCondition, approximation: Approximation): RangeBounds {
  const { low: sl, high: sh } = condition;
  // The third bound follows from the second for any range (low <= high), and gives an index on low
  // both ends to read: a day's dates are a short range of it, not every date after the day.
  const within: RangeBound[] = [
    { field: 'low', op: '>=', value: sl },
    { field: 'low', op: '<=', value: sh },
    { field: 'high', op: '<=', value: sh },
  ];
  switch (condition.prefix) {
    case 'eq':
      return [within];
    case 'ne':
      return [[{ field: 'low', op: '<', value: sl }], [{ field: 'high', op: '>', value: sh }]];
    case 'gt':
      return [[{ field: 'high', op: '>', value: sh }]];
    case 'lt':
      return [[{ field: 'low', op: '<', value: sl }]];
    case 'ge':
      return [[{ field: 'high', op: '>', value: sh }], within];
    case 'le':
      return [[{ field: 'low', op: '<', value: sl }], within];
    case 'sa':
      return [[{ field: 'low', op: '>=', value: sh }]];
    case 'eb':
      return [[{ field: 'high', op: '<=', value: sl }]];
    case 'ap': {
      const widen = approximation(condition);
      return [
        [
          { field: 'low', op: '<', value: sh + widen },
          { field: 'high', op: '>', value: sl - widen },
        ],
      ];
    }
  }
}
