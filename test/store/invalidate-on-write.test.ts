// The store wrapper that invalidates a cache (here as the terminology uses it): after writes of the
// watched types only (CodeSystems, ValueSets, ConceptMaps), and after a transaction that wrote one has finished.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { invalidateOnWrite } from '../../server/store/invalidate-on-write';
import { patient } from '../helpers/fixtures';
import { memoryStore } from '../helpers/test-server';

const codeSystem: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'cs',
  url: 'https://example.org/cs',
  status: 'active',
  content: 'complete',
};

const terminologyTypes = new Set(['CodeSystem', 'ValueSet', 'ConceptMap']);

describe('invalidation of caches on writes', () => {
  it('invalidates after a create, update or delete of a terminology resource, not of a Patient', async () => {
    const store = memoryStore();
    let invalidations = 0;
    const observed = invalidateOnWrite(store, terminologyTypes, () => invalidations++);
    await observed.create(patient({ id: 'p' }));
    await observed.update(patient({ id: 'p', active: true }));
    assert.equal(invalidations, 0);
    await observed.create(codeSystem);
    await observed.update({ ...codeSystem, title: 'Changed' });
    await observed.delete('CodeSystem', 'cs');
    assert.equal(invalidations, 3);
    await store.close();
  });

  it('invalidates once a transaction that wrote one has ended, and not before', async () => {
    const store = memoryStore();
    let invalidations = 0;
    const observed = invalidateOnWrite(store, terminologyTypes, () => invalidations++);
    await observed.transaction(async (tx) => {
      await tx.create(codeSystem);
      await tx.create(patient({ id: 'p' }));
      assert.equal(invalidations, 0, 'not while the transaction is open');
    });
    assert.equal(invalidations, 1);
    await observed.transaction(async (tx) => tx.create(patient({ id: 'q' })));
    assert.equal(invalidations, 1);
    await store.close();
  });
});
