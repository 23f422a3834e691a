// What the MongoDB adapter does beyond the shared contract: unique business identifiers refused with a
// 409 naming the holder, and indexes MongoDB can build. Run on the
// adapter's own code over collections evaluated with mingo (no MongoDB server runs here).
import type { Patient, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { FhirError } from '../../../server/outcomes';
import type { IndexEntries } from '../../../server/search/indexing/types';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { currentIndexes, historyIndexes } from '../../../server/store/mongo/indexes';
import { openMongoStoreOn } from '../../../server/store/adapters';
import { patient } from '../../helpers/fixtures';
import { mingoBackend } from '../../helpers/mingo-backend';
import { testRegistry } from '../../helpers/test-server';

const residentId = 'urn:oid:2.16.156.10011.1.3';

/** The server's indexer, plus resident ID numbers as unique values (as a flagged SearchParameter yields them). */
function indexerWithUniqueIds(): (resource: Resource) => IndexEntries {
  const base = createResourceIndexer(testRegistry());
  return (resource) => {
    const entries = base(resource);
    const unique = entries.tokens
      .filter((t) => t.param === 'identifier' && t.system === residentId && t.code && !t.typeSystem)
      .map((t) => ({ param: 'identifier', system: residentId, code: t.code as string }));
    return { ...entries, unique } as IndexEntries;
  };
}

const withId = (id: string, value: string): Patient => patient({ id, identifier: [{ system: residentId, value }] });

describe('MongoDB store', () => {
  describe('unique business identifiers', () => {
    it('refuses a second current resource with the value, naming the one holding it, and frees it on change or delete', async () => {
      const store = openMongoStoreOn(mingoBackend(), indexerWithUniqueIds());
      await store.create(withId('a', '110101199001010011'));
      await assert.rejects(
        store.create(withId('b', '110101199001010011')),
        (err: unknown) => err instanceof FhirError && err.status === 409 && /Patient\/a/.test(err.message)
      );
      await assert.rejects(store.update(withId('c', '110101199001010011')), (err: unknown) => err instanceof FhirError && err.status === 409);
      assert.equal(await store.readCurrent('Patient', 'b'), undefined, 'nothing of the refused write is stored');
      // Its own value again is no clash; a changed value frees the old one.
      await store.update({ ...withId('a', '110101199001010011'), active: true });
      await store.update(withId('a', '110101199001010022'));
      await store.create(withId('b', '110101199001010011'));
      await store.delete('Patient', 'a');
      await store.create(withId('c', '110101199001010022'));
      // Other types may hold the same value.
      await store.create({ resourceType: 'Practitioner', id: 'p', identifier: [{ system: residentId, value: '110101199001010011' }] });
    });

    it('refuses the clash inside a transaction, rolling the whole transaction back', async () => {
      const store = openMongoStoreOn(mingoBackend(), indexerWithUniqueIds());
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.create(withId('a', '1'));
          await tx.create(withId('b', '1'));
        }),
        (err: unknown) => err instanceof FhirError && err.status === 409 && /Patient\/a/.test(err.message)
      );
      assert.equal(await store.readCurrent('Patient', 'a'), undefined);
    });
  });

  describe('indexes', () => {
    it('index at most one array per compound index, as MongoDB requires, under unique names', () => {
      for (const index of [...currentIndexes, ...historyIndexes]) {
        const arrays = new Set(Object.keys(index.key as object).filter((f) => f.startsWith('idx.')).map((f) => f.split('.').slice(0, 2).join('.')));
        assert.ok(arrays.size <= 1, `${index.name} indexes several arrays: ${[...arrays].join(', ')}`);
      }
      const names = [...currentIndexes, ...historyIndexes].map((i) => i.name);
      assert.equal(new Set(names).size, names.length);
    });
  });
});
