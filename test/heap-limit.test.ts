// The settings a process starts with (server/heap-limit.ts): V8's growth factor, glibc malloc's
// (config.ts, mallocDefaults), and with FHIR_HEAP_MB set, the server thread's heap limit:
// dist/server/main.js starts itself again with them (same pid). Under the limit sized for the largest body
// (sizedHeapMiB, the README's advice) the largest Bundle the server accepts still succeeds (a limit too low
// would end the process: V8 aborts when the old generation cannot fit what is live).
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FhirClient } from '../bench/fhir-client';
import { largestBodyBytes, largestTransaction, mostEntries } from '../bench/generator/large-bundles';
import { loadNetwork } from '../bench/load-data';
import { startServerProcess, type ServerProcess } from '../bench/server-process';
import { mallocDefaults, sizedHeapMiB } from '../server/config';

describe('the server thread heap limit', function () {
  this.timeout(300_000);
  let dir: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-heap-'));
  });
  afterEach(async () => {
    await server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs with V8's growth factor and glibc malloc's settings by default, same pid, and keeps an operator's own value", async () => {
    server = await startServerProcess({ FHIR_DATA_DIR: dir, MALLOC_ARENA_MAX: '3' }, 120_000);
    const commandLine = fs.readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(commandLine.includes('--heap-growing-percent=100'), commandLine.join(' '));
    const environment = fs.readFileSync(`/proc/${server.child.pid}/environ`, 'utf8').split('\0');
    assert.ok(environment.includes(`MALLOC_MMAP_THRESHOLD_=${mallocDefaults.MALLOC_MMAP_THRESHOLD_}`), 'the default the environment lacked');
    assert.ok(environment.includes(`MALLOC_TRIM_THRESHOLD_=${mallocDefaults.MALLOC_TRIM_THRESHOLD_}`), 'the default the environment lacked');
    assert.ok(environment.includes('MALLOC_ARENA_MAX=3'), "the operator's own value");
    assert.equal((await fetch(`${server.baseUrl}/metadata`)).status, 200);
  });

  it('runs with the limit sized for the largest body, and the largest accepted transaction Bundle succeeds under it', async () => {
    const heapMiB = sizedHeapMiB(largestBodyBytes / 2 ** 20);
    server = await startServerProcess({ FHIR_DATA_DIR: dir, FHIR_HEAP_MB: String(heapMiB) }, 120_000);
    const commandLine = fs.readFileSync(`/proc/${server.child.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(commandLine.includes(`--max-old-space-size=${heapMiB}`), commandLine.join(' '));
    const client = new FhirClient(server.baseUrl, server.headers.Authorization?.replace(/^Bearer /, ''), 1);
    try {
      // The records refer to the network's organizations and staff, which must exist (the integrity rules).
      await loadNetwork(client, true, () => undefined);
      const bundle = largestTransaction();
      assert.ok(Buffer.byteLength(JSON.stringify(bundle)) > largestBodyBytes * 0.98);
      const reply = await client.request('POST', '', bundle);
      assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
      assert.equal(reply.body.entry.length, mostEntries);
      assert.equal(server.child.exitCode, null, 'the server still runs');
    } finally {
      await client.close();
    }
  });
});
