// The contract every storage adapter passes: the same suite runs against SQLite here, and against
// MongoDB when its adapter exists. A known gap of an adapter is listed with its reason, never hidden.
import type { Observation, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../../server/json/number-text';
import { FhirError } from '../../server/outcomes';
import type { Filter, SearchPlan } from '../../server/search/plan';
import type { ResourceStore } from '../../server/store/port';
import { observation, patient as freshPatient } from '../helpers/fixtures';

/** One identifier for every patient here, so that writing the same body twice is the same content. */
const patient = (overrides: Partial<Patient> = {}): Patient =>
  freshPatient({ identifier: [{ system: 'https://fhir.test/sid/clinic-mrn', value: 'contract' }], ...overrides });

function searchPlan(resourceType: string, filters: Filter[]): SearchPlan {
  return { resourceType, filters, sort: [], count: 10, total: 'accurate', include: [], revInclude: [] };
}

export function describeStoreContract(name: string, openStore: () => ResourceStore): void {
  describe(`store contract: ${name}`, () => {
    let store: ResourceStore;
    beforeEach(() => {
      store = openStore();
    });
    afterEach(() => store.close());

    const isStatus = (status: number) => (err: unknown) => err instanceof FhirError && err.status === status;

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
