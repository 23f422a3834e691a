// The loss bound of docs/audit.md on a real server process: after SIGKILL, every request answered more
// than a second before the kill has its AuditEvent in the store.
import type { AuditEvent } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServerProcess, type ServerProcess } from '../../bench/server-process';
import { fileStore } from '../helpers/test-server';

describe('AuditEvents over a SIGKILL', function () {
  this.timeout(120_000);
  let dir: string;
  let server: ServerProcess | undefined;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-audit-kill-'));
  });
  after(async () => {
    await server?.kill();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('loses at most the last second of events', async () => {
    const db = path.join(dir, 'fhir.sqlite');
    server = await startServerProcess({ FHIR_DB: db, FHIR_AUDIT: 'on' });
    // The writer thread opens the store a few seconds after start (docs/audit.md): wait until it writes.
    await fetch(`${server.baseUrl}/Patient/warm-up`);
    for (let written = 0; written === 0; ) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      written = ((await (await fetch(`${server.baseUrl}/AuditEvent?_summary=count`)).json()) as { total: number }).total;
    }
    const answered: { id: string; at: number }[] = [];
    const end = Date.now() + 2500;
    // Two clients reading (404s are audited like any read), each read naming its own Patient id.
    await Promise.all(
      [0, 1].map(async (client) => {
        for (let i = 0; Date.now() < end; i++) {
          const id = `kill-${client}-${i}`;
          const res = await fetch(`${server!.baseUrl}/Patient/${id}`);
          await res.arrayBuffer();
          answered.push({ id, at: Date.now() });
        }
      })
    );
    const killedAt = Date.now();
    await server.kill();
    server = undefined;
    const store = fileStore(db);
    try {
      const page = await store.search({ resourceType: 'AuditEvent', filters: [], sort: [], count: 100_000, total: 'none', include: [], revInclude: [] });
      const recorded = new Set(page.resources.flatMap((v) => ((v.resource as AuditEvent).entity ?? []).map((e) => e.what?.reference)));
      const due = answered.filter((a) => a.at < killedAt - 1000);
      assert.ok(due.length > 20, `only ${due.length} requests answered before the last second`);
      const missing = due.filter((a) => !recorded.has(`Patient/${a.id}`));
      assert.deepEqual(missing, [], `${missing.length} of ${due.length} events older than a second were lost`);
      // Nothing is recorded twice either.
      assert.equal(page.resources.length, new Set(page.resources.map((v) => v.id)).size);
    } finally {
      await store.close();
    }
  });
});
