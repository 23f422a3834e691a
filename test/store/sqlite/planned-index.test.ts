// Index entries extracted on the validating read thread (search/indexing/planned-extraction.ts, taken by
// index-writer.ts's storedIndexEntries): a store fed them holds exactly the index rows, in every idx_*
// table, of a store extracting everything on the writer, for the network's resources and generated
// patient records; and the writer never takes entries extracted from another text.
import type { Resource, SearchParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { defaultSeed } from '../../../bench/generator/dataset';
import { patientRecord } from '../../../bench/generator/patient-records';
import { networkDirectory } from '../../../seed/network/directory';
import { networkResources } from '../../../seed/network/resources';
import { plannedText, type PlannedIndex } from '../../../server/search/indexing/planned-extraction';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import type { ResourceIndexer } from '../../../server/search/indexing/types';
import { loadNetworkSearchParameters } from '../../../server/search/network-search-parameters';
import { openSqliteStore } from '../../../server/store/adapters';
import { indexTables } from '../../../server/store/sqlite/index-writer';
import type { ResourceStore } from '../../../server/store/port';
import { validatorSettings, type ValidationVerdict } from '../../../server/validation/offloaded-validation';
import { testBaseUrl } from '../../helpers/test-server';

const profilesDir = path.resolve(__dirname, '../../../../profiles');

/** Parameters that read what the store sets, so that the comparison covers the entries extracted from the stored version. */
const storeSetReaders: SearchParameter[] = [
  { resourceType: 'SearchParameter', url: 'http://fhir.test/SearchParameter/own-id', name: 'ownId', status: 'active', code: 'own-id', base: ['Patient', 'Observation'], type: 'token', expression: 'Patient.id | Observation.id' },
  { resourceType: 'SearchParameter', url: 'http://fhir.test/SearchParameter/version', name: 'version', status: 'active', code: 'version', base: ['Resource'], type: 'token', expression: 'Resource.meta.versionId' },
] as SearchParameter[];

/** Counts which extraction the writer ran: everything, or only the parameters reading the store's fields. */
function countingIndexer(base: ResourceIndexer): { indexer: ResourceIndexer; counts: { whole: number; storeSet: number } } {
  const counts = { whole: 0, storeSet: 0 };
  const split = base.split as NonNullable<ResourceIndexer['split']>;
  const indexer: ResourceIndexer = (resource) => (counts.whole++, base(resource));
  indexer.split = { definition: split.definition, storeSetEntries: (stored) => (counts.storeSet++, split.storeSetEntries(stored)) };
  return { indexer, counts };
}

/** Every index row of the store, by resource and parameter code instead of the store's own keys. */
function indexRows(file: string): string[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows: string[] = [];
    for (const table of indexTables) {
      const all = db
        .prepare(`SELECT r.resource_type AS _type, r.id AS _id, p.code AS _code, t.* FROM ${table} t JOIN resources r ON r.key = t.key JOIN search_params p ON p.param_id = t.param_id`)
        .all() as Record<string, unknown>[];
      for (const { key: _key, param_id: _param, ...row } of all) {
        rows.push(`${table} ${JSON.stringify(row)}`);
      }
    }
    return rows.sort();
  } finally {
    db.close();
  }
}

describe('index entries extracted on the validating thread', function () {
  this.timeout(300_000);
  let dir: string;
  const stores: ResourceStore[] = [];
  const registry = new SearchParameterRegistry([...loadNetworkSearchParameters(profilesDir), ...storeSetReaders]);

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-planned-index-'));
  });
  afterEach(async () => {
    await Promise.all(stores.splice(0).map((s) => s.close()));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const open = (name: string, indexer: ResourceIndexer, readThreads?: number): ResourceStore => {
    const store = openSqliteStore({ file: path.join(dir, name), synchronous: 'NORMAL', indexer, ...(readThreads === undefined ? {} : { readThreads }) });
    stores.push(store);
    return store;
  };

  /** The thread's verdicts for the resources, in chunks as Bundles send them. */
  async function verdicts(store: ResourceStore, resources: Resource[]): Promise<(ValidationVerdict | undefined)[]> {
    // Profiles the empty store does not hold are warnings here: every resource passes and is extracted.
    const settings = validatorSettings(testBaseUrl, { unknownProfile: 'warning', unknownExtension: 'warning', requiredProfiles: new Map() });
    const out: (ValidationVerdict | undefined)[] = [];
    for (let i = 0; i < resources.length; i += 500) {
      const answer = await store.validateOffThread?.({ settings, rewrites: [], bodies: resources.slice(i, i + 500) });
      out.push(...(answer?.verdicts ?? []));
    }
    return out;
  }

  it("holds the same rows as the writer's own extraction, for the network and generated patient records", async () => {
    const resources: Resource[] = [...networkResources(networkDirectory()), ...Array.from({ length: 6 }, (_, i) => patientRecord(70_000_000 + i, defaultSeed)).flat()];
    const { indexer, counts } = countingIndexer(createResourceIndexer(registry));
    const threads = open('threads.sqlite', indexer);
    const inline = open('inline.sqlite', createResourceIndexer(registry), 0);
    const checked = await verdicts(threads, resources);
    const indexes = checked.map((v) => v?.index);
    assert.equal(indexes.filter(Boolean).length, resources.length, 'every resource was extracted on the thread');
    await threads.transaction(async (tx) => {
      for (const [i, resource] of resources.entries()) {
        await tx.create(resource, { index: indexes[i] });
      }
    });
    await inline.transaction(async (tx) => {
      for (const resource of resources) {
        await tx.create(resource);
      }
    });
    assert.deepEqual(counts, { whole: 0, storeSet: resources.length }, 'every write took the entries from the thread');
    const [fed, extracted] = [indexRows(path.join(dir, 'threads.sqlite')), indexRows(path.join(dir, 'inline.sqlite'))];
    assert.ok(extracted.some((row) => row.startsWith('idx_token') && row.includes('"_code":"version"')), 'the parameters reading meta.versionId are indexed');
    assert.equal(fed.length, extracted.length);
    assert.deepEqual(fed, extracted);
  });

  it('takes entries only for the text they were extracted from, and an update too', async () => {
    const { indexer, counts } = countingIndexer(createResourceIndexer(registry));
    const store = open('poisoned.sqlite', indexer);
    const patient: Resource = { resourceType: 'Patient', id: 'p1', gender: 'female' };
    const [verdict] = await verdicts(store, [patient]);
    const poisoned = (index: PlannedIndex): PlannedIndex => ({ ...index, entries: { ...index.entries, tokens: [...index.entries.tokens, { param: 'gender', code: 'poisoned' }] } });
    const index = poisoned(verdict?.index as PlannedIndex);
    const genders = (): string[] => tokenCodes(path.join(dir, 'poisoned.sqlite'), 'gender');
    // Another text (the gender changed after the thread saw it): the writer extracts it all itself.
    await store.create({ ...patient, gender: 'male' }, { index });
    assert.deepEqual(genders(), ['male']);
    assert.deepEqual(counts, { whole: 1, storeSet: 0 });
    // The same text apart from what the store sets (another id, a client's versionId): taken, poison and all.
    await store.create({ ...patient, id: 'p2', meta: { versionId: '9' } }, { index });
    assert.deepEqual(genders(), ['female', 'male', 'poisoned']);
    assert.equal(plannedText({ ...patient, id: 'p2', meta: { versionId: '9', lastUpdated: '2020-01-01T00:00:00Z' } }), plannedText(patient));
    await store.update({ ...patient, gender: 'other' }, { index });
    assert.deepEqual(counts, { whole: 2, storeSet: 1 });
  });
});

function tokenCodes(file: string, code: string): string[] {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const rows = db
      .prepare('SELECT t.code AS value FROM idx_token t JOIN search_params p ON p.param_id = t.param_id WHERE p.code = ? ORDER BY t.code')
      .all(code) as { value: string }[];
    return rows.map((r) => r.value);
  } finally {
    db.close();
  }
}
