// The bound `ge` and `le` imply on one end (server/search/range-bounds.ts): it must hold for every
// stored range either alternative matches, or putting it in front of them would lose matches.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import type { RangeCondition } from '../../server/search/plan';
import { impliedBound, rangeBounds, valueApproximation, type RangeBound } from '../../server/search/range-bounds';

const holds = (b: RangeBound, range: { low: number; high: number }): boolean => {
  const v = range[b.field];
  return b.op === '<' ? v < b.value : b.op === '<=' ? v <= b.value : b.op === '>' ? v > b.value : v >= b.value;
};
const matches = (condition: RangeCondition, range: { low: number; high: number }): boolean =>
  rangeBounds(condition, valueApproximation).some((alternative) => alternative.every((b) => holds(b, range)));

/** Ranges with low <= high, as every index row holds them, on a small grid so that ends often meet. */
const storedRange = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 0, max: 10 })).map(([low, width]) => ({ low, high: low + width }));
const searchRange = fc.tuple(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 10 })).map(([low, width]) => ({ low, high: low + width }));

describe('the bound implied by ge and le', () => {
  for (const prefix of ['ge', 'le'] as const) {
    it(`${prefix}: every stored range that matches satisfies it`, () => {
      fc.assert(
        fc.property(searchRange, storedRange, (search, stored) => {
          const condition: RangeCondition = { prefix, ...search };
          const bound = impliedBound(condition)!;
          return !matches(condition, stored) || holds(bound, stored);
        }),
        { numRuns: 2000 }
      );
    });
  }

  it('is given for ge and le only', () => {
    assert.deepEqual(impliedBound({ prefix: 'ge', low: 10, high: 20 }), { field: 'high', op: '>=', value: 10 });
    assert.deepEqual(impliedBound({ prefix: 'le', low: 10, high: 20 }), { field: 'low', op: '<=', value: 20 });
    for (const prefix of ['eq', 'ne', 'gt', 'lt', 'sa', 'eb', 'ap'] as const) {
      assert.equal(impliedBound({ prefix, low: 10, high: 20 }), undefined, prefix);
    }
  });
});
