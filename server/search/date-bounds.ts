// The meaning of each date prefix as comparisons on a stored value's range [low, high), written as
// OR-of-ANDs so that every adapter can translate it directly. Both ranges are half-open, in ms.
// https://hl7.org/fhir/R4/search.html#prefix and the date table in search.html#date
import type { DateCondition } from './plan';

export interface DateBound {
  /** Which end of the stored value's range is compared. */
  field: 'low' | 'high';
  op: '<' | '<=' | '>' | '>=';
  value: number;
}

/** Alternatives (ORed), each a list of bounds (ANDed). */
export type DateBounds = DateBound[][];

/** 'ap' widens the search range by 10% of its distance from now (the spec's suggestion), at least a day. */
const minimumApproximation = 24 * 60 * 60 * 1000;

export function dateConditionBounds(condition: DateCondition, now: number = Date.now()): DateBounds {
  const { low: sl, high: sh } = condition;
  const within: DateBound[] = [
    { field: 'low', op: '>=', value: sl },
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
      const distance = Math.abs(now - (sl + sh) / 2);
      const widen = Math.max(minimumApproximation, distance * 0.1);
      return [
        [
          { field: 'low', op: '<', value: sh + widen },
          { field: 'high', op: '>', value: sl - widen },
        ],
      ];
    }
  }
}
