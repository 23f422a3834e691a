// The audit writer thread (server/audit/audit-worker-writer.ts) as the server starts it: it writes the
// batches it is handed into the configured store, and carries its name as its OS thread's name.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { auditWorkerWriter } from '../../server/audit/audit-worker-writer';
import { openSqliteStore } from '../../server/store/adapters';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { testRegistry } from '../helpers/test-server';

describe('the audit writer thread', function () {
  this.timeout(60_000);
  let dir: string;
  const saved = { dataDir: process.env.FHIR_DATA_DIR, store: process.env.FHIR_STORE };
  const restore = (name: string, value: string | undefined): void => {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  };
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-audit-thread-'));
    // The thread reads the server's configuration from the environment it inherits, as main.ts's does.
    process.env.FHIR_DATA_DIR = dir;
    process.env.FHIR_STORE = 'sqlite';
  });
  afterEach(() => {
    restore('FHIR_DATA_DIR', saved.dataDir);
    restore('FHIR_STORE', saved.store);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('stores a batch and runs as the OS thread "fhir-audit"', async function () {
    const writer = auditWorkerWriter(pino({ level: 'silent' }));
    const names = (): string[] =>
      fs.existsSync('/proc/self/task') ? fs.readdirSync('/proc/self/task').map((task) => fs.readFileSync(`/proc/self/task/${task}/comm`, 'utf8').trim()) : [];
    try {
      await writer.write([{ resourceType: 'AuditEvent', id: 'thread-name-check', type: { code: 'rest' }, recorded: new Date().toISOString(), agent: [{ requestor: true }], source: { observer: { display: 'test' } } }]);
      if (fs.existsSync('/proc/self/task')) assert.ok(names().includes('fhir-audit'), names().join(', '));
    } finally {
      await writer.close();
    }
    const store = openSqliteStore({ file: path.join(dir, 'fhir.sqlite'), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()) });
    try {
      assert.ok(await store.readCurrent('AuditEvent', 'thread-name-check'));
    } finally {
      await store.close();
    }
  });
});
