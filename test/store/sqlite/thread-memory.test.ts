// What the SQLite store's connections and read threads may hold in memory: the writer its own page cache
// (FHIR_SQLITE_CACHE_MB), every reading connection, a read thread's included, the smaller one
// (FHIR_SQLITE_READ_CACHE_MB), and a read thread's V8 young generation is bounded, since each counts
// in the server's memory (docs/performance.md, "Memory").
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../../server/store/adapters';
import { threadYoungGenerationMiB } from '../../../server/store/sqlite/read-pool/read-pool';
import { testRegistry, testSearchPlan } from '../../helpers/test-server';

describe('the memory of SQLite connections and read threads', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-page-caches-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const openWith = (caches: { cacheMiB?: number; readCacheMiB?: number }, recorded: Int32Array): ReturnType<typeof openSqliteStore> =>
    openSqliteStore({
      file: path.join(dir, 'fhir.sqlite'),
      synchronous: 'NORMAL',
      indexer: createResourceIndexer(testRegistry()),
      readThreads: 1,
      readThreadSetup: { module: path.join(__dirname, '..', '..', 'helpers', 'record-thread-limits.js'), data: recorded.buffer },
      ...caches,
    });

  /** What a read thread recorded of its limits: its page cache in KiB, its young generation in MiB. */
  const threadLimits = async (caches: { cacheMiB?: number; readCacheMiB?: number }): Promise<{ cacheKiB: number; youngMiB: number }> => {
    const recorded = new Int32Array(new SharedArrayBuffer(8));
    const store = openWith(caches, recorded);
    try {
      const plan = testSearchPlan('Patient', 'name=x', 10);
      await store.search(plan);
      return { cacheKiB: -Atomics.load(recorded, 0), youngMiB: Atomics.load(recorded, 1) };
    } finally {
      await store.close();
    }
  };

  it('gives a read thread the reading connections’ cache, not the writer’s', async () => {
    assert.equal((await threadLimits({ cacheMiB: 48, readCacheMiB: 4 })).cacheKiB, 4 * 1024);
  });

  it('gives a read thread 16 MiB unless told otherwise, whatever the writer has', async () => {
    assert.equal((await threadLimits({ cacheMiB: 128 })).cacheKiB, 16 * 1024);
  });

  it('names each read thread, so that its CPU and memory are told apart in /proc/<pid>/task/*/comm', async function () {
    if (!fs.existsSync('/proc/self/task')) this.skip();
    const store = openWith({}, new Int32Array(new SharedArrayBuffer(8)));
    try {
      const plan = testSearchPlan('Patient', 'name=x', 10);
      await store.search(plan);
      const names = fs.readdirSync('/proc/self/task').map((task) => fs.readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim());
      assert.ok(names.includes('fhir-read-1'), names.join(', '));
    } finally {
      await store.close();
    }
  });

  it(`bounds a read thread's young generation to ${threadYoungGenerationMiB} MiB (V8 would let it reach 128)`, async () => {
    assert.equal((await threadLimits({})).youngMiB, threadYoungGenerationMiB);
  });
});
