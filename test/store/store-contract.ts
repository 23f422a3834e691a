// The contract every storage adapter passes: the same suite runs against SQLite always and against
// MongoDB whenever MONGODB_URL is set (test/helpers/store-adapters.ts). It covers every behaviour of the
// port: versions, history, optimistic locking, transactions, every node of a search plan, paging, totals,
// includes and the caller's restriction. A known gap of an adapter is listed with its reason, never hidden.
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../../server/json/number-text';
import { FhirError } from '../../server/outcomes';
import type { Filter, ResultRestriction, SearchPlan } from '../../server/search/plan';
import type { IndexEntries } from '../../server/search/indexing/types';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import type { ResourceIndexer, ResourceStore, SearchPage } from '../../server/store/port';
import { observation, patient as freshPatient } from '../helpers/fixtures';
import { testRegistry, testSearchPlan } from '../helpers/test-server';
import { searchFixtures } from '../search/search-fixtures';

/** One identifier for every patient here, so that writing the same body twice is the same content. */
const patient = (overrides: Partial<Patient> = {}): Patient =>
  freshPatient({ identifier: [{ system: 'https://fhir.test/sid/clinic-mrn', value: 'contract' }], ...overrides });

function searchPlan(resourceType: string, filters: Filter[]): SearchPlan {
  return { resourceType, filters, sort: [], count: 10, total: 'accurate', include: [], revInclude: [] };
}

/** The plan of a search query, as the FHIR core parses it (without terminology modifiers). */
function planOf(resourceType: string, query: string, count = 10): SearchPlan {
  return testSearchPlan(resourceType, query, count);
}

const ids = (page: SearchPage): string[] => page.resources.map((r) => r.id);
const sortedIds = (page: SearchPage): string[] => ids(page).sort();
const includedKeys = (page: SearchPage): string[] => page.included.map((r) => `${r.resourceType}/${r.id}`).sort();
const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Tests an adapter does not pass yet, by title, each with the reason. */
export type KnownGaps = Record<string, string>;

/** The server's indexer, plus resident ID numbers as unique values (as a SearchParameter marked unique yields them). */
function indexerWithUniqueIds(): ResourceIndexer {
  const base = createResourceIndexer(testRegistry());
  return (resource) => {
    const entries = base(resource);
    const unique = entries.tokens
      .filter((t) => t.param === 'identifier' && t.system === residentId && t.code && !t.typeSystem)
      .map((t) => ({ param: 'identifier', system: residentId, code: t.code as string }));
    return { ...entries, unique } as IndexEntries;
  };
}

const residentId = 'urn:oid:2.16.156.10011.1.3';
const withResidentId = (id: string, value: string): Patient => freshPatient({ id, identifier: [{ system: residentId, value }] });

/** `openStore` opens a new, empty store, indexed like the server's unless given another indexer. */
export function describeStoreContract(name: string, openStore: (indexer?: ResourceIndexer) => Promise<ResourceStore>, gaps: KnownGaps = {}): void {
  describe(`store contract: ${name}`, () => {
    let store: ResourceStore;
    beforeEach(async () => {
      store = await openStore();
    });
    afterEach(() => store.close());

    const isStatus = (status: number) => (err: unknown) => err instanceof FhirError && err.status === status;
    /** `it`, or a pending test naming the gap's reason. */
    const it = (title: string, test: () => Promise<void>): void => {
      if (gaps[title]) {
        globalThis.it.skip(`${title} [known gap: ${gaps[title]}]`, test);
      } else {
        globalThis.it(title, test);
      }
    };

    it('creates version 1 with server meta, and refuses a second create of the same id with 409', async () => {
      const v = await store.create(patient({ id: 'p1' }));
      assert.equal(v.versionId, '1');
      assert.equal(v.resource?.meta?.versionId, '1');
      assert.equal(v.resource?.meta?.lastUpdated, v.lastUpdated);
      await assert.rejects(store.create(patient({ id: 'p1' })), isStatus(409));
    });

    it('updates with optimistic locking and keeps every version', async () => {
      await store.create(patient({ id: 'p1' }));
      const r2 = await store.update(patient({ id: 'p1', active: true }), { expectedVersionId: '1' });
      assert.equal(r2.outcome, 'updated');
      assert.equal(r2.version.versionId, '2');
      await assert.rejects(store.update(patient({ id: 'p1', active: false }), { expectedVersionId: '1' }), isStatus(412));
      assert.equal(((await store.readVersion('Patient', 'p1', '1'))?.resource as Patient).active, undefined);
      assert.equal(((await store.readCurrent('Patient', 'p1'))?.resource as Patient).active, true);
    });

    it('reports an unchanged update without writing a version', async () => {
      await store.create(patient({ id: 'p1' }));
      const same = await store.update(patient({ id: 'p1' }));
      assert.equal(same.outcome, 'unchanged');
      assert.equal(same.version.versionId, '1');
    });

    it('deletes as a tombstone version, and knows ids that never existed', async () => {
      await store.create(patient({ id: 'p1' }));
      const deleted = await store.delete('Patient', 'p1');
      assert.equal(deleted.existed, true);
      assert.equal(deleted.version?.deleted, true);
      assert.equal(deleted.version?.versionId, '2');
      assert.deepEqual(await store.delete('Patient', 'p1'), { existed: true });
      assert.deepEqual(await store.delete('Patient', 'never'), { existed: false });
      assert.equal((await store.readCurrent('Patient', 'p1'))?.deleted, true);
    });

    it('runs a transaction all-or-nothing: an error rolls back every write in it', async () => {
      await store.create(patient({ id: 'kept' }));
      await assert.rejects(
        store.transaction(async (tx) => {
          await tx.create(patient({ id: 'new-one' }));
          await tx.update(patient({ id: 'kept', active: true }));
          await tx.delete('Patient', 'kept');
          throw new Error('entry 4 failed');
        }),
        /entry 4 failed/
      );
      assert.equal(await store.readCurrent('Patient', 'new-one'), undefined);
      const kept = await store.readCurrent('Patient', 'kept');
      assert.equal(kept?.versionId, '1');
      assert.equal(kept?.deleted, false);
      const history = await store.history({ count: 100 });
      assert.equal(history.versions.length, 1);
    });

    it('lets a transaction read its own writes, and commits them together', async () => {
      const result = await store.transaction(async (tx) => {
        await tx.create(patient({ id: 'a' }));
        const seen = await tx.readCurrent('Patient', 'a');
        await tx.update(patient({ id: 'a', active: true }));
        return seen?.versionId;
      });
      assert.equal(result, '1');
      assert.equal((await store.readCurrent('Patient', 'a'))?.versionId, '2');
    });

    it('answers a read made through the store from inside a transaction without waiting for that transaction', async () => {
      // The terminology reads the store itself while a conditional create's criteria are resolved in its transaction.
      await store.create(patient({ id: 'a' }));
      const seen = await store.transaction(async (tx) => {
        await tx.create(patient({ id: 'b' }));
        return (await store.readCurrent('Patient', 'a'))?.versionId;
      });
      assert.equal(seen, '1');
    });

    it('keeps a failed write apart from writes that run at the same time', async () => {
      const results = await Promise.allSettled([
        store.create(patient({ id: 'a' })),
        store.transaction(async (tx) => {
          await tx.create(patient({ id: 'b' }));
          throw new Error('b fails');
        }),
        store.create(patient({ id: 'c' })),
        store.create(patient({ id: 'a' })),
      ]);
      assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
      assert.equal((await store.readCurrent('Patient', 'a'))?.versionId, '1');
      assert.equal(await store.readCurrent('Patient', 'b'), undefined);
      assert.equal((await store.readCurrent('Patient', 'c'))?.versionId, '1');
    });

    it('never interleaves concurrent transactions', async () => {
      await store.create(patient({ id: 'counter', multipleBirthInteger: 0 }));
      const increment = () =>
        store.transaction(async (tx) => {
          const current = (await tx.readCurrent('Patient', 'counter'))!.resource as Patient;
          await new Promise((r) => setTimeout(r, 1));
          await tx.update({ ...current, multipleBirthInteger: (current.multipleBirthInteger ?? 0) + 1 });
        });
      await Promise.all(Array.from({ length: 20 }, increment));
      const final = (await store.readCurrent('Patient', 'counter'))!.resource as Patient;
      assert.equal(final.multipleBirthInteger, 20);
    });

    it('pages history newest first with a cursor', async () => {
      for (let i = 0; i < 5; i++) {
        await store.create(patient({ id: `p${i}` }));
      }
      const first = await store.history({ resourceType: 'Patient', count: 2 });
      assert.deepEqual(first.versions.map((v) => v.id), ['p4', 'p3']);
      const second = await store.history({ resourceType: 'Patient', count: 2, cursor: first.nextCursor });
      assert.deepEqual(second.versions.map((v) => v.id), ['p2', 'p1']);
      const third = await store.history({ resourceType: 'Patient', count: 2, cursor: second.nextCursor });
      assert.deepEqual(third.versions.map((v) => v.id), ['p0']);
      assert.equal(third.nextCursor, undefined);
    });

    it('searches current, non-deleted resources by _id', async () => {
      await store.create(patient({ id: 'a' }));
      await store.create(patient({ id: 'b' }));
      await store.delete('Patient', 'b');
      const page = await store.search(searchPlan('Patient', [{ kind: 'id', ids: ['a', 'b'] }]));
      assert.deepEqual(page.resources.map((r) => r.id), ['a']);
      assert.equal(page.total, 1);
    });

    it('searches a token parameter by a set of codes, each code with its own system', async () => {
      const coded = [
        ['a', 'http://loinc.org', '8480-6'],
        ['b', 'http://other', '8480-6'],
        ['c', 'http://loinc.org', '8462-4'],
        ['d', 'http://other', 'x'],
      ];
      for (const [id, system, code] of coded) {
        await store.create(observation('p', { id, code: { coding: [{ system, code }] } }));
      }
      const code = { resourceType: 'Observation', code: 'code', kind: 'token' as const };
      const codes = [
        { system: 'http://loinc.org', code: '8480-6' },
        { system: 'http://loinc.org', code: '8462-4' },
        { system: 'http://other', code: 'x' },
      ];
      const ids = async (filter: Filter): Promise<string[]> =>
        (await store.search(searchPlan('Observation', [filter]))).resources.map((r) => r.id).sort();
      assert.deepEqual(await ids({ kind: 'param', param: code, anyOf: [{ type: 'token', codes }] }), ['a', 'c', 'd']);
      assert.deepEqual(await ids({ kind: 'param', param: code, anyOf: [{ type: 'token', codes }], negate: true }), ['b']);
      const loincOnly = codes.slice(0, 2);
      assert.deepEqual(await ids({ kind: 'param', param: code, anyOf: [{ type: 'token', codes: loincOnly }] }), ['a', 'c']);
      assert.deepEqual(await ids({ kind: 'param', param: code, anyOf: [{ type: 'token', codes: [] }] }), []);
    });

    it('matches a stored code without a system (a code element) to a code of the set by its code', async () => {
      await store.create(patient({ id: 'm', gender: 'male' }));
      await store.create(patient({ id: 'f', gender: 'female' }));
      const gender = { resourceType: 'Patient', code: 'gender', kind: 'token' as const };
      const codes = [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }];
      const filter: Filter = { kind: 'param', param: gender, anyOf: [{ type: 'token', codes }] };
      const page = await store.search(searchPlan('Patient', [filter]));
      assert.deepEqual(page.resources.map((r) => r.id), ['f']);
    });

    it('refuses a plan whose terminology conditions were not resolved to codes', async () => {
      await store.create(observation('p', { id: 'a' }));
      const code = { resourceType: 'Observation', code: 'code', kind: 'token' as const };
      const unresolved = searchPlan('Observation', [
        { kind: 'param', param: code, anyOf: [{ type: 'valueSet', valueSet: 'http://x', parameter: 'code:in' }] },
      ]);
      await assert.rejects(store.search(unresolved), /resolveTerminologyFilters/);
    });

    describe('versions', () => {
      it('reads each version, and nothing for a version or an id that does not exist', async () => {
        await store.create(patient({ id: 'p1' }));
        await store.update(patient({ id: 'p1', active: true }));
        assert.equal((await store.readVersion('Patient', 'p1', '2'))?.versionId, '2');
        assert.equal(await store.readVersion('Patient', 'p1', '3'), undefined);
        assert.equal(await store.readVersion('Patient', 'p1', '0'), undefined);
        assert.equal(await store.readVersion('Patient', 'p1', 'x'), undefined);
        assert.equal(await store.readVersion('Patient', 'other', '1'), undefined);
        assert.equal(await store.readCurrent('Patient', 'other'), undefined);
        assert.equal(await store.readCurrent('Observation', 'p1'), undefined, 'ids are per type');
      });

      it('creates a client-chosen id by update, and brings a deleted resource back as its next version', async () => {
        const created = await store.update(patient({ id: 'p1' }));
        assert.deepEqual([created.outcome, created.version.versionId], ['created', '1']);
        await store.delete('Patient', 'p1');
        const revived = await store.update(patient({ id: 'p1', active: true }));
        assert.deepEqual([revived.outcome, revived.version.versionId], ['created', '3']);
        assert.equal((await store.readVersion('Patient', 'p1', '2'))?.deleted, true);
        await assert.rejects(store.create(patient({ id: 'p1' })), isStatus(409));
      });

      it('moves lastUpdated forward with every version and stores it in meta', async () => {
        const v1 = await store.create(patient({ id: 'p1' }));
        const v2 = (await store.update(patient({ id: 'p1', active: true }))).version;
        assert.ok(Date.parse(v2.lastUpdated) > Date.parse(v1.lastUpdated));
        const read = await store.readCurrent('Patient', 'p1');
        assert.equal(read?.resource?.meta?.lastUpdated, v2.lastUpdated);
        assert.equal(read?.lastUpdated, v2.lastUpdated);
      });

      it('keeps the stored content exactly: text, decimals and element order', async () => {
        const resource = {
          resourceType: 'Observation',
          id: 'exact',
          status: 'final',
          code: { text: '空腹血糖 “fasting” \u{1F489}' },
          valueQuantity: { value: 7.25, unit: 'mmol/L' },
          subject: { reference: 'Patient/p1' },
        } as Observation;
        const written = await store.create(resource);
        const read = await store.readCurrent('Observation', 'exact');
        assert.equal(JSON.stringify(read?.resource), JSON.stringify(written.resource));
        assert.deepEqual(Object.keys(read!.resource!), ['resourceType', 'id', 'meta', 'status', 'code', 'valueQuantity', 'subject']);
      });
    });

    describe('optimistic locking', () => {
      it('refuses If-Match on a missing, deleted or other version, for update and delete, writing nothing', async () => {
        await assert.rejects(store.update(patient({ id: 'p1' }), { expectedVersionId: '1' }), isStatus(412));
        await store.create(patient({ id: 'p1' }));
        await assert.rejects(store.delete('Patient', 'p1', { expectedVersionId: '2' }), isStatus(412));
        const deleted = await store.delete('Patient', 'p1', { expectedVersionId: '1' });
        assert.equal(deleted.version?.versionId, '2');
        await assert.rejects(store.update(patient({ id: 'p1' }), { expectedVersionId: '2' }), isStatus(412));
        assert.equal((await store.history({ resourceType: 'Patient', id: 'p1', count: 10 })).versions.length, 2);
      });

      it('lets exactly one of two writers holding the same version win', async () => {
        await store.create(patient({ id: 'p1' }));
        const results = await Promise.allSettled([
          store.update(patient({ id: 'p1', active: true }), { expectedVersionId: '1' }),
          store.update(patient({ id: 'p1', active: false }), { expectedVersionId: '1' }),
        ]);
        assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
        assert.ok(results.some((r) => r.status === 'rejected' && isStatus(412)(r.reason)));
        assert.equal((await store.readCurrent('Patient', 'p1'))?.versionId, '2');
      });
    });

    describe('history', () => {
      it("lists one resource's versions newest first, the delete included", async () => {
        await store.create(patient({ id: 'p1' }));
        await store.create(patient({ id: 'other' }));
        await store.update(patient({ id: 'p1', active: true }));
        await store.delete('Patient', 'p1');
        const page = await store.history({ resourceType: 'Patient', id: 'p1', count: 10 });
        assert.deepEqual(page.versions.map((v) => [v.versionId, v.deleted]), [['3', true], ['2', false], ['1', false]]);
        assert.equal(page.versions[2].resource?.meta?.versionId, '1');
        assert.equal(page.nextCursor, undefined);
      });

      it('lists a type and the whole system, newest first', async () => {
        await store.create(patient({ id: 'p1' }));
        await store.create(observation('p1', { id: 'o1' }));
        await store.update(patient({ id: 'p1', active: true }));
        const type = await store.history({ resourceType: 'Patient', count: 10 });
        assert.deepEqual(type.versions.map((v) => `${v.id}/${v.versionId}`), ['p1/2', 'p1/1']);
        const system = await store.history({ count: 10 });
        assert.deepEqual(system.versions.map((v) => `${v.resourceType}/${v.id}/${v.versionId}`), ['Patient/p1/2', 'Observation/o1/1', 'Patient/p1/1']);
      });

      it('keeps versions written while a client pages out of the pages it continues', async () => {
        for (let i = 0; i < 4; i++) {
          await store.create(patient({ id: `p${i}` }));
        }
        const first = await store.history({ count: 2 });
        await store.create(patient({ id: 'late' }));
        const second = await store.history({ count: 2, cursor: first.nextCursor });
        assert.deepEqual([...first.versions, ...second.versions].map((v) => v.id), ['p3', 'p2', 'p1', 'p0']);
      });

      it('answers _since and _at', async () => {
        await store.create(patient({ id: 'a' }));
        await pause(5);
        const between = Date.now();
        await pause(5);
        const b = await store.create(patient({ id: 'b' }));
        await store.update(patient({ id: 'a', active: true }));
        const since = await store.history({ since: Date.parse(b.lastUpdated), count: 10 });
        assert.deepEqual(since.versions.map((v) => `${v.id}/${v.versionId}`), ['a/2', 'b/1']);
        const at = await store.history({ at: { low: between, high: between + 1 }, count: 10 });
        assert.deepEqual(at.versions.map((v) => `${v.id}/${v.versionId}`), ['a/1']);
      });

      it('answers _since for one resource and a type, page by page, and _at with the delete that was current', async () => {
        await store.create(patient({ id: 'a' }));
        await store.create(patient({ id: 'b' }));
        await pause(5);
        const since = Date.now();
        await pause(5);
        await store.update(patient({ id: 'a', active: true }));
        await store.update(patient({ id: 'b', active: true }));
        await store.update(patient({ id: 'a', active: false }));
        await store.create(observation('a', { id: 'o' }));
        const one = await store.history({ resourceType: 'Patient', id: 'a', since, count: 10 });
        assert.deepEqual(one.versions.map((v) => v.versionId), ['3', '2']);
        const first = await store.history({ resourceType: 'Patient', since, count: 2 });
        const rest = await store.history({ resourceType: 'Patient', since, count: 2, cursor: first.nextCursor });
        assert.deepEqual([...first.versions, ...rest.versions].map((v) => `${v.id}/${v.versionId}`), ['a/3', 'b/2', 'a/2']);
        assert.equal(rest.nextCursor, undefined);
        const deleted = await store.delete('Patient', 'b');
        await pause(5);
        const after = Date.now();
        const at = await store.history({ resourceType: 'Patient', at: { low: after, high: after + 1 }, count: 10 });
        assert.deepEqual(at.versions.map((v) => `${v.id}/${v.versionId}/${v.deleted}`), [`b/${deleted.version?.versionId}/true`, 'a/3/false']);
      });

      it('lists only versions of resources the restriction lets the caller see', async () => {
        await store.create(patient({ id: 'm', gender: 'male' }));
        await store.create(patient({ id: 'f', gender: 'female' }));
        await store.create(observation('m', { id: 'o' }));
        await store.update(patient({ id: 'm', gender: 'male', active: true }));
        const male: Filter = { kind: 'param', param: { resourceType: 'Patient', code: 'gender', kind: 'token' }, anyOf: [{ type: 'token', code: 'male' }] };
        const restriction: ResultRestriction = { byType: { Patient: [male] }, otherTypes: 'none' };
        const page = await store.history({ count: 1, restriction });
        assert.deepEqual(page.versions.map((v) => `${v.id}/${v.versionId}`), ['m/2']);
        const rest = await store.history({ count: 10, cursor: page.nextCursor, restriction });
        assert.deepEqual(rest.versions.map((v) => `${v.id}/${v.versionId}`), ['m/1']);
        const others = await store.history({ count: 10, restriction: { byType: { Patient: [male] }, otherTypes: 'all' } });
        assert.deepEqual(others.versions.map((v) => `${v.id}/${v.versionId}`), ['m/2', 'o/1', 'm/1']);
        await store.delete('Patient', 'm');
        assert.deepEqual((await store.history({ resourceType: 'Patient', id: 'm', count: 10, restriction })).versions, []);
      });
    });

    describe('referrers', () => {
      it('lists current resources whose references point at the target, not itself, up to the limit, without excluded types', async () => {
        await store.create(patient({ id: 'p', link: [{ other: { reference: 'Patient/p' }, type: 'seealso' }] }));
        await store.create(observation('p', { id: 'o1' }));
        await store.create(observation('p', { id: 'o2' }));
        await store.create(observation('other', { id: 'o3' }));
        await store.create({ resourceType: 'Flag', id: 'f', status: 'active', code: { text: 'x' }, subject: { reference: 'Patient/p' } });
        await store.delete('Observation', 'o2');
        const all = await store.referrers({ resourceType: 'Patient', id: 'p' }, { limit: 10 });
        assert.deepEqual(all.map((r) => `${r.resourceType}/${r.id}`).sort(), ['Flag/f', 'Observation/o1']);
        assert.equal((await store.referrers({ resourceType: 'Patient', id: 'p' }, { limit: 1 })).length, 1);
        const withoutFlags = await store.referrers({ resourceType: 'Patient', id: 'p' }, { limit: 10, excludeTypes: ['Flag'] });
        assert.deepEqual(withoutFlags, [{ resourceType: 'Observation', id: 'o1' }]);
        assert.deepEqual(await store.referrers({ resourceType: 'Patient', id: 'nobody' }, { limit: 10 }), []);
        const inTransaction = await store.transaction(async (tx) => {
          await tx.create(observation('p', { id: 'o4' }));
          return tx.referrers({ resourceType: 'Patient', id: 'p' }, { limit: 10, excludeTypes: ['Flag'] });
        });
        assert.deepEqual(inTransaction.map((r) => r.id).sort(), ['o1', 'o4']);
      });
    });

    describe('transactions', () => {
      it("lets a transaction's search see its own writes, and no one else's before it commits", async () => {
        const found = await store.transaction(async (tx) => {
          await tx.create(patient({ id: 'a', gender: 'female' }));
          return ids(await tx.search(planOf('Patient', 'gender=female')));
        });
        assert.deepEqual(found, ['a']);
        assert.deepEqual(ids(await store.search(planOf('Patient', 'gender=female'))), ['a']);
      });

      it('rolls back the writes before a refused If-Match, and reads its own versions meanwhile', async () => {
        await store.create(patient({ id: 'a' }));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.update(patient({ id: 'a', active: true }), { expectedVersionId: '1' });
            assert.equal((await tx.readVersion('Patient', 'a', '2'))?.versionId, '2');
            assert.equal((await tx.history({ resourceType: 'Patient', id: 'a', count: 10 })).versions.length, 2);
            await tx.delete('Patient', 'a', { expectedVersionId: '1' });
          }),
          isStatus(412)
        );
        assert.equal((await store.readCurrent('Patient', 'a'))?.versionId, '1');
        assert.equal(await store.readVersion('Patient', 'a', '2'), undefined);
      });

      it('deletes and brings back a resource in one transaction, an unchanged update writing nothing', async () => {
        await store.create(patient({ id: 'a' }));
        const outcomes = await store.transaction(async (tx) => {
          const same = await tx.update(patient({ id: 'a' }));
          await tx.delete('Patient', 'a');
          await assert.rejects(tx.create(patient({ id: 'a' })), isStatus(409));
          const back = await tx.update(patient({ id: 'a', active: true }));
          return [same.outcome, back.outcome, back.version.versionId];
        });
        assert.deepEqual(outcomes, ['unchanged', 'created', '3']);
        const versions = await store.history({ resourceType: 'Patient', id: 'a', count: 10 });
        assert.deepEqual(versions.versions.map((v) => [v.versionId, v.deleted]), [['3', false], ['2', true], ['1', false]]);
      });

      it('rolls back a failed transaction in the search indexes too', async () => {
        await store.create(patient({ id: 'a', gender: 'male' }));
        await assert.rejects(
          store.transaction(async (tx) => {
            await tx.update(patient({ id: 'a', gender: 'female' }));
            await tx.create(patient({ id: 'b', gender: 'female' }));
            throw new Error('fails');
          })
        );
        assert.deepEqual(ids(await store.search(planOf('Patient', 'gender=female'))), []);
        assert.deepEqual(ids(await store.search(planOf('Patient', 'gender=male'))), ['a']);
      });
    });

    describe('search plans', () => {
      beforeEach(async () => {
        for (const resource of searchFixtures) {
          await store.update(resource as Resource);
        }
      });
      const cases: [string, string, string[]][] = [
        ['Patient', '_id=p-wang,p-zhang,nobody', ['p-wang', 'p-zhang']],
        ['Patient', '_id:not=p-wang', ['p-jose', 'p-zhang']],
        ['Patient', '_lastUpdated=gt2000-01-01&gender=female', ['p-jose']],
        ['Patient', 'name=wang', ['p-wang']],
        ['Patient', 'gender:not=male', ['p-jose']],
        ['Patient', 'birthdate=lt1980', ['p-jose']],
        ['RiskAssessment', 'probability=gt0.2', ['risk-1']],
        ['Observation', 'value-quantity=7200|http://unitsofmeasure.org|umol/L', ['obs-glu']],
        ['Observation', 'subject=Patient/p-wang', ['obs-bp-1', 'obs-bp-2']],
        ['ValueSet', 'url:below=https://fhir.dhc.example/', ['vs-bp']],
        ['Observation', 'component-code-value-quantity=http://loinc.org|8480-6$gt140', ['obs-bp-1']],
        ['Patient', 'active:missing=true', ['p-jose', 'p-wang']],
        ['Observation', 'subject:Patient.name=wang', ['obs-bp-1', 'obs-bp-2']],
        ['Observation', 'patient.organization.partof.identifier=B100-001', ['obs-weight']],
        ['Patient', '_has:Observation:patient:code=14771-0', ['p-zhang']],
        ['Practitioner', '_has:Patient:general-practitioner:_has:Observation:patient:code=85354-9', ['dr-li']],
        // Every kind of value condition, with its modifiers and prefixes.
        ['Patient', '_lastUpdated=lt2000-01-01', []],
        ['Patient', 'name:exact=王小明', ['p-wang']],
        ['Patient', 'name:exact=王小', []],
        ['Patient', 'name:contains=iaomin', ['p-wang']],
        ['Patient', 'address-city=天津', ['p-wang']],
        ['Patient', 'identifier=urn:mrn|MR-1', ['p-wang']],
        ['Patient', 'identifier=urn:other|MR-1', []],
        ['Patient', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|MR-1', ['p-wang']],
        ['Patient', 'phone=13900000001', ['p-wang']],
        ['Patient', '_tag=https://fhir.dhc.example/tags|chronic', ['p-wang']],
        ['Observation', 'code:text=血压', ['obs-bp-1']],
        ['Observation', 'code:not=http://loinc.org|85354-9', ['obs-glu', 'obs-weight']],
        ['Observation', 'code=http://loinc.org|85354-9,http://loinc.org|29463-7', ['obs-bp-1', 'obs-bp-2', 'obs-weight']],
        ['Observation', 'date=ge2026-03-01&date=lt2026-04-01', ['obs-bp-1', 'obs-glu']],
        ['Observation', 'date=eb2026-01-01', ['obs-weight']],
        ['Observation', 'date=sa2026-04-01', ['obs-bp-2']],
        ['Observation', 'date=ne2026-06-05', ['obs-bp-1', 'obs-glu', 'obs-weight']],
        ['Encounter', 'date=2026-03-05', ['enc-1']],
        ['RiskAssessment', 'probability=0.25', ['risk-1']],
        ['RiskAssessment', 'probability=lt0.2', []],
        ['Observation', 'value-quantity=gt60', ['obs-weight']],
        ['Observation', 'value-quantity=7.2|http://unitsofmeasure.org|mmol/L', ['obs-glu']],
        ['Observation', 'component-code-value-quantity=http://loinc.org|8462-4$lt90', ['obs-bp-2']],
        ['Observation', 'subject=p-zhang', ['obs-glu']],
        ['Observation', 'subject:Group=p-zhang', []],
        ['QuestionnaireResponse', 'questionnaire=https://fhir.dhc.example/Questionnaire/follow-up', ['qr-1']],
        ['QuestionnaireResponse', 'questionnaire=https://fhir.dhc.example/Questionnaire/follow-up|2.0', ['qr-1']],
        ['QuestionnaireResponse', 'questionnaire=https://fhir.dhc.example/Questionnaire/follow-up|1.0', []],
        ['ValueSet', 'url=https://fhir.dhc.example/ValueSet/blood-pressure-codes', ['vs-bp']],
        ['ValueSet', 'url:above=https://fhir.dhc.example/ValueSet/blood-pressure-codes/extra', ['vs-bp']],
        ['ValueSet', 'url=https://fhir.dhc.example/ValueSet', []],
        ['Patient', 'active:missing=false', ['p-zhang']],
        ['Encounter', 'subject.name=wang', ['enc-1']],
        ['Patient', 'organization:Organization.name=Tianjin', ['p-jose']],
      ];
      for (const [type, query, expected] of cases) {
        it(`${type}?${query}`, async () => {
          assert.deepEqual(sortedIds(await store.search(planOf(type, query))), expected);
        });
      }

      it('any of several filters (a compartment)', async () => {
        const ref = (code: string): Filter => ({
          kind: 'param',
          param: { resourceType: 'Observation', code, kind: 'reference' },
          anyOf: [{ type: 'reference', targetTypes: ['Patient'], id: 'p-zhang' }],
        });
        const page = await store.search(searchPlan('Observation', [{ kind: 'anyOf', filters: [ref('subject'), ref('performer')] }]));
        assert.deepEqual(ids(page), ['obs-glu']);
        assert.deepEqual(ids(await store.search(searchPlan('Observation', [{ kind: 'anyOf', filters: [] }]))), []);
      });

      it('pages a sorted search both ways with its cursors, and counts the total', async () => {
        const plan = { ...planOf('Observation', '_sort=-date', 1), total: 'accurate' as const };
        const forward: string[] = [];
        let page = await store.search(plan);
        const pages = [page];
        assert.equal(page.total, 4);
        forward.push(...ids(page));
        while (page.nextCursor) {
          page = await store.search({ ...plan, cursor: page.nextCursor });
          pages.push(page);
          forward.push(...ids(page));
        }
        assert.deepEqual(forward, ['obs-bp-2', 'obs-glu', 'obs-bp-1', 'obs-weight']);
        const backward = ids(page);
        while (page.previousCursor) {
          page = await store.search({ ...plan, cursor: page.previousCursor });
          backward.unshift(...ids(page));
        }
        assert.deepEqual(backward, forward);
        assert.equal(pages[0].previousCursor, undefined);
      });

      it('pages in write order when no sort is asked, an updated resource moving to the end', async () => {
        await store.update({ ...(searchFixtures.find((r) => r.id === 'p-wang') as Patient), active: true });
        const all: string[] = [];
        let cursor: string | undefined;
        do {
          const page: SearchPage = await store.search({ ...planOf('Patient', '', 2), cursor });
          all.push(...ids(page));
          cursor = page.nextCursor;
        } while (cursor);
        assert.deepEqual(all, ['p-jose', 'p-zhang', 'p-wang']);
      });

      it('pages a search without a sort once through every match, both ways, each resource once however many of its values match', async () => {
        // Both components of both blood-pressure panels match: four index entries for two resources.
        const plan = planOf('Observation', 'component-value-quantity=gt50', 1);
        const forward: string[] = [];
        let page = await store.search(plan);
        forward.push(...ids(page));
        while (page.nextCursor) {
          page = await store.search({ ...plan, cursor: page.nextCursor });
          forward.push(...ids(page));
        }
        assert.deepEqual([...forward].sort(), ['obs-bp-1', 'obs-bp-2']);
        const backward = ids(page);
        while (page.previousCursor) {
          page = await store.search({ ...plan, cursor: page.previousCursor });
          backward.unshift(...ids(page));
        }
        assert.deepEqual(backward, forward);
      });

      it('sorts by a parameter either way, by _id and _lastUpdated, by several keys, resources without the value last', async () => {
        const sorted = async (type: string, query: string): Promise<string[]> => ids(await store.search(planOf(type, query, 20)));
        assert.deepEqual(await sorted('Patient', '_sort=birthdate'), ['p-jose', 'p-wang', 'p-zhang']);
        assert.deepEqual(await sorted('Patient', '_sort=-birthdate'), ['p-zhang', 'p-wang', 'p-jose']);
        assert.deepEqual(await sorted('Patient', '_sort=-_id'), ['p-zhang', 'p-wang', 'p-jose']);
        // The fixtures may share a millisecond: _lastUpdated is sorted on resources written apart.
        for (const id of ['u1', 'u2', 'u3']) {
          await pause(2);
          await store.create({ resourceType: 'Basic', id, code: { text: id } });
        }
        await pause(2);
        await store.update({ resourceType: 'Basic', id: 'u1', code: { text: 'u1 again' } });
        assert.deepEqual(await sorted('Basic', '_sort=_lastUpdated'), ['u2', 'u3', 'u1']);
        assert.deepEqual(await sorted('Basic', '_sort=-_lastUpdated'), ['u1', 'u3', 'u2']);
        // Ties on the first key are broken by the second.
        assert.deepEqual(await sorted('Observation', '_sort=status,-_id'), ['obs-glu', 'obs-bp-2', 'obs-bp-1', 'obs-weight']);
        assert.deepEqual(await sorted('Patient', '_sort=active,_id'), ['p-zhang', 'p-jose', 'p-wang']);
        assert.deepEqual(await sorted('Patient', '_sort=-active,_id'), ['p-zhang', 'p-jose', 'p-wang']);
      });

      it('pages a restricted, filtered search with its total, never showing what the restriction hides', async () => {
        const restriction: ResultRestriction = {
          byType: { Observation: [{ kind: 'param', param: { resourceType: 'Observation', code: 'status', kind: 'token' }, anyOf: [{ type: 'token', code: 'final' }] }] },
          otherTypes: 'none',
        };
        const plan: SearchPlan = { ...planOf('Observation', 'code=http://loinc.org|85354-9,http://loinc.org|29463-7,http://loinc.org|14771-0&_sort=-date', 1), total: 'accurate', restriction };
        const seen: string[] = [];
        let page = await store.search(plan);
        assert.equal(page.total, 3);
        seen.push(...ids(page));
        while (page.nextCursor) {
          page = await store.search({ ...plan, cursor: page.nextCursor });
          seen.push(...ids(page));
        }
        assert.deepEqual(seen, ['obs-bp-2', 'obs-glu', 'obs-bp-1']);
      });

      it('follows every reference parameter for :*, only the named target type, and never a deleted target', async () => {
        assert.deepEqual(includedKeys(await store.search(planOf('Observation', '_id=obs-bp-1&_include=Observation:*'))), ['Encounter/enc-1', 'Patient/p-wang']);
        assert.deepEqual(includedKeys(await store.search(planOf('Observation', '_id=obs-bp-1&_include=Observation:subject:Patient'))), ['Patient/p-wang']);
        assert.deepEqual(includedKeys(await store.search(planOf('Observation', '_id=obs-bp-1&_include=Observation:subject:Group'))), []);
        await store.delete('Encounter', 'enc-1');
        await store.delete('Observation', 'obs-bp-2');
        assert.deepEqual(includedKeys(await store.search(planOf('Observation', '_id=obs-bp-1&_include=Observation:encounter'))), []);
        const rev = await store.search(planOf('Patient', '_id=p-wang&_revinclude=Observation:subject'));
        assert.deepEqual(includedKeys(rev), ['Observation/obs-bp-1']);
      });

      it('never matches a deleted target through _has, in the page or its total', async () => {
        // obs-glu (14771-0) still refers to p-zhang after p-zhang is deleted.
        await store.delete('Patient', 'p-zhang');
        const page = await store.search(planOf('Patient', '_has:Observation:patient:code=14771-0'));
        assert.deepEqual(ids(page), []);
        // _count=0: the total is counted, not taken from the page.
        assert.equal((await store.search({ ...planOf('Patient', '_has:Observation:patient:code=14771-0', 0), total: 'accurate' })).total, 0);
        assert.deepEqual(ids(await store.search(planOf('Patient', '_has:Observation:patient:code=85354-9'))), ['p-wang']);
      });

      it('iterates _revinclude from what an earlier round added', async () => {
        const page = await store.search(planOf('Organization', '_id=org-clinic&_revinclude=Patient:organization&_revinclude:iterate=Observation:subject'));
        assert.deepEqual(ids(page), ['org-clinic']);
        assert.deepEqual(includedKeys(page), ['Observation/obs-bp-1', 'Observation/obs-bp-2', 'Patient/p-wang']);
      });

      it('gives a total only when asked, or for free when the first page holds every match', async () => {
        assert.equal((await store.search({ ...planOf('Patient', '', 2), total: 'none' })).total, undefined);
        assert.equal((await store.search({ ...planOf('Patient', '', 2), total: 'auto' })).total, undefined);
        assert.equal((await store.search({ ...planOf('Patient', '', 5), total: 'auto' })).total, 3);
        assert.equal((await store.search({ ...planOf('Patient', '', 2), total: 'estimate' })).total, 3);
      });

      it('counts a resource once however many of its index entries match (a code twice, with two displays or two systems)', async () => {
        await store.update(
          observation('p-wang', {
            id: 'obs-twice',
            code: {
              coding: [
                { system: 'http://loinc.org', code: '2345-7', display: 'Glucose' },
                { system: 'http://loinc.org', code: '2345-7', display: 'Glucose [Mass/volume] in Serum or Plasma' },
                { system: 'urn:local-lab', code: '2345-7' },
              ],
            },
          })
        );
        for (const query of ['code=http://loinc.org|2345-7', 'code=2345-7', 'code=http://loinc.org|2345-7&subject=Patient/p-wang']) {
          assert.equal((await store.search({ ...planOf('Observation', query, 0), total: 'accurate' })).total, 1, query);
        }
      });

      it('adds what _include and _revinclude reach, :iterate included, never a match twice', async () => {
        const page = await store.search(
          planOf('Observation', '_id=obs-weight&_include=Observation:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof')
        );
        assert.deepEqual(includedKeys(page), ['Organization/org-clinic', 'Organization/org-hospital', 'Patient/p-jose']);
        const rev = await store.search(planOf('Patient', '_id=p-wang&_revinclude=Observation:subject&_revinclude=RiskAssessment:subject'));
        assert.deepEqual(includedKeys(rev), ['Observation/obs-bp-1', 'Observation/obs-bp-2', 'RiskAssessment/risk-1']);
        const self = await store.search(planOf('Organization', '_revinclude=Organization:partof'));
        assert.deepEqual(includedKeys(self), []);
      });

      it('applies the restriction to the matches, their total, chains, _has and what includes add', async () => {
        const male: Filter = { kind: 'param', param: { resourceType: 'Patient', code: 'gender', kind: 'token' }, anyOf: [{ type: 'token', code: 'male' }] };
        const restriction: ResultRestriction = { byType: { Patient: [male], Observation: [] }, otherTypes: 'none' };
        const restricted = (type: string, query: string): SearchPlan => ({ ...planOf(type, query), total: 'accurate', restriction });
        const patients = await store.search(restricted('Patient', ''));
        assert.deepEqual([sortedIds(patients), patients.total], [['p-wang', 'p-zhang'], 2]);
        assert.deepEqual(sortedIds(await store.search(restricted('Observation', 'subject:Patient.gender=female'))), []);
        assert.deepEqual(sortedIds(await store.search(restricted('Observation', 'subject:Patient.gender=male'))), ['obs-bp-1', 'obs-bp-2', 'obs-glu']);
        assert.deepEqual(sortedIds(await store.search(restricted('Patient', '_has:Observation:subject:status=final'))), ['p-wang', 'p-zhang']);
        const withSubjects = await store.search(restricted('Observation', '_include=Observation:subject&_include=Observation:encounter'));
        assert.deepEqual(includedKeys(withSubjects), ['Patient/p-wang', 'Patient/p-zhang']);
        const hidden = await store.search({ ...planOf('RiskAssessment', ''), restriction });
        assert.deepEqual(ids(hidden), []);
      });
    });

    describe('unique business identifiers', () => {
      let unique: ResourceStore;
      beforeEach(async () => {
        unique = await openStore(indexerWithUniqueIds());
      });
      afterEach(() => unique.close());
      const conflict = (holder: string) => (err: unknown) => isStatus(409)(err) && new RegExp(holder).test((err as FhirError).message);

      it('refuses a second current resource with the value, naming the one holding it, and frees it on change or delete', async () => {
        await unique.create(withResidentId('a', '110101199001010011'));
        await assert.rejects(unique.create(withResidentId('b', '110101199001010011')), conflict('Patient/a'));
        await assert.rejects(unique.update(withResidentId('c', '110101199001010011')), conflict('Patient/a'));
        assert.equal(await unique.readCurrent('Patient', 'b'), undefined, 'nothing of the refused write is stored');
        assert.equal(await unique.readCurrent('Patient', 'c'), undefined);
        // Its own value again is no clash; a changed value frees the old one.
        await unique.update({ ...withResidentId('a', '110101199001010011'), active: true });
        await unique.update(withResidentId('a', '110101199001010022'));
        await unique.create(withResidentId('b', '110101199001010011'));
        await unique.delete('Patient', 'a');
        await unique.create(withResidentId('c', '110101199001010022'));
        // Other types may hold the same value.
        await unique.create({ resourceType: 'Practitioner', id: 'p', identifier: [{ system: residentId, value: '110101199001010011' }] });
      });

      it('refuses the clash inside a transaction, rolling the whole transaction back', async () => {
        await assert.rejects(
          unique.transaction(async (tx) => {
            await tx.create(withResidentId('a', '1'));
            await tx.create(withResidentId('b', '1'));
          }),
          conflict('Patient/a')
        );
        assert.equal(await unique.readCurrent('Patient', 'a'), undefined);
        await unique.create(withResidentId('b', '1'));
      });
    });

    it('refuses a cursor it did not give, or one of a search sorted otherwise, with 400', async () => {
      await store.create(patient({ id: 'a' }));
      await store.create(patient({ id: 'b' }));
      const sorted = await store.search({ ...planOf('Patient', '_sort=birthdate', 1) });
      assert.ok(sorted.nextCursor);
      await assert.rejects(store.search({ ...planOf('Patient', '', 1), cursor: sorted.nextCursor }), isStatus(400));
      await assert.rejects(store.search({ ...planOf('Patient', '', 1), cursor: 'not-a-cursor' }), isStatus(400));
      await assert.rejects(store.history({ count: 1, cursor: 'not-a-cursor' }), isStatus(400));
    });

    it('answers history with count 0 by an empty page without a cursor', async () => {
      await store.create(patient({ id: 'p1' }));
      const page = await store.history({ count: 0 });
      assert.deepEqual(page.versions, []);
      assert.equal(page.nextCursor, undefined);
    });

    it('ends a search or history page early at maxBytes, after at least one resource, with a cursor that continues it', async () => {
      for (let i = 0; i < 5; i++) {
        await store.create(patient({ id: `p${i}`, name: [{ given: Array.from({ length: 50 }, (_, j) => `g${j}`) }] }));
      }
      const plan = { ...searchPlan('Patient', []), maxBytes: 1200, total: 'none' as const };
      const seen: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await store.search({ ...plan, cursor });
        assert.ok(page.resources.length >= 1 && page.resources.length < 5);
        seen.push(...page.resources.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(seen.sort(), ['p0', 'p1', 'p2', 'p3', 'p4']);
      const first = await store.history({ resourceType: 'Patient', count: 10, maxBytes: 1 });
      assert.equal(first.versions.length, 1);
      assert.ok(first.nextCursor);
      const versions: string[] = [];
      let historyCursor: string | undefined;
      do {
        const page = await store.history({ resourceType: 'Patient', count: 10, maxBytes: 1200, cursor: historyCursor });
        assert.ok(page.versions.length >= 1 && page.versions.length < 5);
        versions.push(...page.versions.map((v) => v.id));
        historyCursor = page.nextCursor;
      } while (historyCursor);
      assert.deepEqual(versions, ['p4', 'p3', 'p2', 'p1', 'p0']);
      const sorted: string[] = [];
      do {
        const page = await store.search({ ...plan, sort: [{ field: '_id', descending: true }], cursor });
        sorted.push(...page.resources.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.deepEqual(sorted, ['p4', 'p3', 'p2', 'p1', 'p0']);
    });

    it('keeps the written text of numbers parsed with their text (server/json/number-text.ts)', async () => {
      const sent = parseJsonKeepingNumbers('{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"x"},"valueQuantity":{"value":1.50}}');
      await store.create(sent as Observation);
      const read = await store.readCurrent('Observation', 'o1');
      assert.match(stringifyKeepingNumbers(read?.resource), /"value":1\.50\}/);
      const found = await store.search(searchPlan('Observation', []));
      assert.match(stringifyKeepingNumbers(found.resources[0].resource), /"value":1\.50\}/);
    });

    it('changes its change marker with every committed write of the watched types, and only then', async () => {
      const watched = ['ValueSet', 'CodeSystem'];
      const start = await store.changeMarker(watched);
      assert.equal(await store.changeMarker(watched), start, 'no write: the same marker');
      await store.create({ resourceType: 'ValueSet', id: 'vs1', status: 'active' });
      const created = await store.changeMarker(watched);
      assert.notEqual(created, start);
      await store.update({ resourceType: 'ValueSet', id: 'vs1', status: 'retired' });
      const updated = await store.changeMarker(watched);
      assert.notEqual(updated, created);
      await store.transaction(async (tx) => {
        await tx.create({ resourceType: 'CodeSystem', id: 'cs1', status: 'active', content: 'complete' });
      });
      const inTransaction = await store.changeMarker(watched);
      assert.notEqual(inTransaction, updated);
      await store.delete('CodeSystem', 'cs1');
      const deleted = await store.changeMarker(watched);
      assert.notEqual(deleted, inTransaction);
      assert.equal(await store.changeMarker(watched), deleted);
      assert.notEqual(await store.changeMarker(['ValueSet']), start);
    });
  });
}
