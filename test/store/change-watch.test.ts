import { strict as assert } from 'node:assert';
import { watchStoreChanges } from '../../server/store/change-watch';

describe('watchStoreChanges', () => {
  it('invalidates when the marker differs from the last one seen, not on the first look nor when it stays', async () => {
    let marker = '1';
    const asked: string[][] = [];
    const store = {
      changeMarker: async (types: readonly string[]): Promise<string> => {
        asked.push([...types]);
        return marker;
      },
    };
    let invalidations = 0;
    const follow = watchStoreChanges(store, new Set(['ValueSet', 'CodeSystem']), () => invalidations++);
    await follow();
    await follow();
    assert.equal(invalidations, 0);
    marker = '2';
    await follow();
    assert.equal(invalidations, 1);
    await follow();
    assert.equal(invalidations, 1);
    assert.deepEqual(asked[0], ['CodeSystem', 'ValueSet']);
  });

  it('reads the marker again only when the commit reading differs from the one its last marker was read under', async () => {
    let marker = '1';
    let asked = 0;
    const store = {
      changeMarker: async (): Promise<string> => {
        asked++;
        return marker;
      },
    };
    let invalidations = 0;
    const follow = watchStoreChanges(store, new Set(['ValueSet']), () => invalidations++);
    await follow(7);
    await follow(7);
    assert.equal(asked, 1, 'the same reading: nothing committed, no second look');
    marker = '2';
    await follow(8);
    assert.equal(asked, 2);
    assert.equal(invalidations, 1);
    await follow();
    assert.equal(asked, 3, 'no reading: always looked at');
  });
});
