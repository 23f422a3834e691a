// Graceful shutdown (server/main.ts): on SIGTERM the server stops accepting connections, finishes the
// requests in flight (their answers arrive and their writes are kept), closes the store and exits 0.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../../bench/server-process';

const json = { 'Content-Type': 'application/fhir+json' };

describe('graceful shutdown on SIGTERM', function () {
  this.timeout(120_000);
  let dir: string;
  let server: ServerProcess | undefined;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-shutdown-'));
  });
  afterEach(async () => {
    await server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers and keeps a transaction in flight when SIGTERM arrives, refuses new connections, and exits 0', async () => {
    const db = path.join(dir, 'fhir.sqlite');
    server = await startServerProcess({ FHIR_DB: db });
    const base = server.baseUrl;
    const entry = Array.from({ length: 3000 }, (_, i) => ({
      resource: { resourceType: 'Patient', identifier: [{ system: 'urn:x-shutdown', value: String(i) }] },
      request: { method: 'POST', url: 'Patient' },
    }));
    const inFlight = fetch(base, { method: 'POST', headers: json, body: JSON.stringify({ resourceType: 'Bundle', type: 'transaction', entry }) });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise<number | null>((resolve) => server!.child.once('exit', (code) => resolve(code)));
    server.child.kill('SIGTERM');
    const response = await inFlight;
    assert.equal(response.status, 200);
    const bundle = (await response.json()) as { entry: unknown[] };
    assert.equal(bundle.entry.length, 3000);
    await assert.rejects(fetch(`${base}/metadata`), 'a new connection after SIGTERM is refused');
    assert.equal(await exited, 0);
    server = await startServerProcess({ FHIR_DB: db });
    const stored = (await (await fetch(`${server.baseUrl}/Patient?identifier=urn:x-shutdown|&_summary=count`)).json()) as { total: number };
    assert.equal(stored.total, 3000);
  });
});
