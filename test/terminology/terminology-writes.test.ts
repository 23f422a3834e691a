// The store wrapper that invalidates the terminology cache: after writes of CodeSystems, ValueSets and
// ConceptMaps only, and after a transaction that wrote one has finished.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { invalidateTerminologyOnWrite } from '../../server/terminology/terminology-writes';
import { patient } from '../helpers/fixtures';
import { memoryStore } from '../helpers/test-server';

const codeSystem: CodeSystem = {
  resourceType: 'CodeSystem',
  id: 'cs',
  url: 'https://example.org/cs',
  status: 'active',
  content: 'complete',
};

describe('terminology invalidation on writes', () => {
  it('invalidates after a create, update or delete of a terminology resource, not of a Patient', async () => {
    const store = memoryStore();
    let invalidations = 0;
    const observed = invalidateTerminologyOnWrite(store, { invalidate: () => invalidations++ });
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
    const observed = invalidateTerminologyOnWrite(store, { invalidate: () => invalidations++ });
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
