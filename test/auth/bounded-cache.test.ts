// The bounded cache of what each request of a token works out the same.
import { strict as assert } from 'node:assert';
import { BoundedCache } from '../../server/auth/bounded-cache';

describe('bounded cache', () => {
  it('computes a value once per key, undefined included', () => {
    const cache = new BoundedCache<number | undefined>(10);
    let computed = 0;
    const compute = (value: number | undefined) => (): number | undefined => {
      computed++;
      return value;
    };
    assert.equal(cache.computed('a', compute(1)), 1);
    assert.equal(cache.computed('a', compute(2)), 1);
    assert.equal(cache.computed('none', compute(undefined)), undefined);
    assert.equal(cache.computed('none', compute(3)), undefined);
    assert.equal(computed, 2);
  });

  it('keeps at most its limit, dropping the oldest first', () => {
    const cache = new BoundedCache<number>(3);
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
      cache.set(key, i);
    }
    assert.equal(cache.get('a'), undefined);
    assert.deepEqual(['b', 'c', 'd'].map((k) => cache.get(k)), [1, 2, 3]);
    cache.set('b', 10);
    cache.set('e', 4);
    assert.equal(cache.get('c'), undefined, 'b was set again, so c is now the oldest');
    assert.equal(cache.get('b'), 10);
    cache.delete('b');
    assert.equal(cache.get('b'), undefined);
  });
});
