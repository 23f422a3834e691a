// Each connection of the SQLite store gets the page cache it is configured with: the writer its own
// (FHIR_SQLITE_CACHE_MB), every reading connection, a read thread's included, the smaller one
// (FHIR_SQLITE_READ_CACHE_MB), since each connection's cache counts in the server's memory.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { isResourceType } from '../../../server/fhir/resource-definitions';
import { parseSearch } from '../../../server/search/parse-search';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../../server/store/adapters';
import { testBaseUrl, testRegistry } from '../../helpers/test-server';

describe('SQLite page caches per connection', function () {
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
      readThreadSetup: { module: path.join(__dirname, '..', '..', 'helpers', 'record-cache-size.js'), data: recorded.buffer },
      ...caches,
    });

  const threadCacheKiB = async (caches: { cacheMiB?: number; readCacheMiB?: number }): Promise<number> => {
    const recorded = new Int32Array(new SharedArrayBuffer(4));
    const store = openWith(caches, recorded);
    try {
      const { plan } = parseSearch('Patient', new URLSearchParams('name=x'), 10, { registry: testRegistry(), baseUrl: testBaseUrl, isResourceType });
      await store.search(plan);
      return -Atomics.load(recorded, 0);
    } finally {
      await store.close();
    }
  };

  it('gives a read thread the reading connections’ cache, not the writer’s', async () => {
    assert.equal(await threadCacheKiB({ cacheMiB: 48, readCacheMiB: 4 }), 4 * 1024);
  });

  it('gives a read thread 16 MiB unless told otherwise, whatever the writer has', async () => {
    assert.equal(await threadCacheKiB({ cacheMiB: 128 }), 16 * 1024);
  });
});
