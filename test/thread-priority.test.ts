// The worker threads' scheduling priorities (server/thread-priority.ts): a thread lowers its own and no
// other thread's, and a started server's read threads and audit writer run at the configured number of
// nice steps below its own thread, 0 leaving them as they were. Each thread's nice value is read from
// /proc/<pid>/task/<tid>/stat (field 19, proc(5)); Linux only.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { startServerProcess, type ServerProcess } from '../bench/server-process';
import { lowerOwnPriority, threadPriorityUnsupported, type PriorityChange } from '../server/thread-priority';

interface Task {
  tid: number;
  name: string;
  nice: number;
}

/** A thread's name and nice value, from its stat line: the name is between the first '(' and the last ')'. */
function task(pid: number, tid: number): Task {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 3 onwards follow the name: field 19 is the 17th of them.
  return { tid, name: stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')), nice: Number(fields[16]) };
}

function tasks(pid: number): Task[] {
  return fs.readdirSync(`/proc/${pid}/task`).map((tid) => task(pid, Number(tid)));
}

/** Polls until `ready` holds of the process's threads (a thread sets its priority as it starts). */
async function until(pid: number, ready: (threads: Task[]) => boolean, what: string): Promise<Task[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const threads = tasks(pid);
    if (ready(threads)) {
      return threads;
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: ${JSON.stringify(threads.filter((t) => t.name.startsWith('fhir-') || t.tid === pid))}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs lowerOwnPriority(by) on a new worker thread, which stays alive until told to end. */
async function lowerOnWorker(by: number[]): Promise<{ changes: PriorityChange[]; tid: number; end: () => Promise<number> }> {
  const module = require.resolve('../server/thread-priority');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const { lowerOwnPriority } = require(workerData.module);
     const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/')[2]);
     parentPort.postMessage({ tid, changes: workerData.by.map(lowerOwnPriority) });
     parentPort.once('message', () => process.exit(0));`,
    { eval: true, workerData: { module, by } }
  );
  const reply = await new Promise<{ tid: number; changes: PriorityChange[] }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return {
    ...reply,
    end: () => {
      worker.postMessage('end');
      return new Promise<number>((resolve) => worker.once('exit', resolve));
    },
  };
}

describe('thread priorities', function () {
  this.timeout(120_000);
  before(function () {
    if (process.platform !== 'linux' || !fs.existsSync('/proc/thread-self')) {
      this.skip();
    }
  });

  it('lowers the calling thread only, by the steps asked, at most to 19', async () => {
    const own = task(process.pid, process.pid).nice;
    assert.equal(threadPriorityUnsupported(), undefined);
    const worker = await lowerOnWorker([3, 2]);
    try {
      assert.deepEqual(
        worker.changes.map((c) => c.changed && c.nice),
        [Math.min(19, own + 3), Math.min(19, own + 5)]
      );
      assert.equal(task(process.pid, worker.tid).nice, Math.min(19, own + 5));
      assert.equal(task(process.pid, process.pid).nice, own, 'the thread that started the worker keeps its priority');
      const others = tasks(process.pid).filter((t) => t.tid !== worker.tid);
      assert.ok(others.every((t) => t.nice === own), JSON.stringify(others));
    } finally {
      await worker.end();
    }
    const capped = await lowerOnWorker([15, 15]);
    await capped.end();
    assert.deepEqual(capped.changes.map((c) => c.changed && c.nice), [Math.min(19, own + 15), 19]);
  });

  it('changes nothing for 0', async () => {
    const own = task(process.pid, process.pid).nice;
    const worker = await lowerOnWorker([0]);
    try {
      assert.deepEqual(worker.changes, [{ changed: false, reason: 'no change asked' }]);
      assert.equal(task(process.pid, worker.tid).nice, own);
    } finally {
      await worker.end();
    }
    // On this thread too: nothing to undo afterwards.
    assert.equal(lowerOwnPriority(0).changed, false);
    assert.equal(task(process.pid, process.pid).nice, own);
  });

  describe('a started server', () => {
    let dir: string;
    let server: ServerProcess | undefined;
    beforeEach(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-priority-'));
    });
    afterEach(async () => {
      await server?.stop();
      server = undefined;
      fs.rmSync(dir, { recursive: true, force: true });
    });

    /** A server with two read threads, after a create (which the audit writer's thread records) and a few searches. */
    async function started(env: Record<string, string>): Promise<{ pid: number; own: number }> {
      server = await startServerProcess({ FHIR_DB: path.join(dir, 'fhir.sqlite'), FHIR_READ_THREADS: '2', ...env }, 60_000);
      const pid = server.child.pid!;
      const res = await fetch(`${server.baseUrl}/Patient`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/fhir+json' },
        body: JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Priority' }] }),
      });
      assert.equal(res.status, 201);
      const searches = await Promise.all(Array.from({ length: 8 }, () => fetch(`${server!.baseUrl}/Patient?name=Priority`)));
      assert.deepEqual(searches.map((s) => s.status), Array(8).fill(200));
      // The AuditEvents are searchable once the audit writer's thread has started and written them.
      const deadline = Date.now() + 30_000;
      while (((await (await fetch(`${server.baseUrl}/AuditEvent?_summary=count`)).json()) as { total: number }).total === 0) {
        assert.ok(Date.now() < deadline, 'no AuditEvent was written');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      return { pid, own: task(pid, pid).nice };
    }

    const named = (threads: Task[], prefix: string): Task[] => threads.filter((t) => t.name.startsWith(prefix));

    it('runs its read threads the configured steps below its own thread, the audit writer unchanged at 0', async () => {
      const { pid, own } = await started({ FHIR_READ_THREAD_NICE: '6', FHIR_AUDIT_THREAD_NICE: '0' });
      const threads = await until(
        pid,
        (all) => named(all, 'fhir-read-').length === 2 && named(all, 'fhir-read-').every((t) => t.nice === Math.min(19, own + 6)),
        'the read threads never reached the configured priority'
      );
      assert.deepEqual(named(threads, 'fhir-audit').map((t) => t.nice), [own]);
      assert.equal(task(pid, pid).nice, own);
      assert.ok(
        threads.filter((t) => !t.name.startsWith('fhir-read-')).every((t) => t.nice === own),
        'no other thread is lowered'
      );
    });

    it('runs its audit writer the configured steps below its own thread, the read threads unchanged at 0', async () => {
      const { pid, own } = await started({ FHIR_READ_THREAD_NICE: '0', FHIR_AUDIT_THREAD_NICE: '3' });
      const threads = await until(
        pid,
        (all) => named(all, 'fhir-audit').length === 1 && named(all, 'fhir-audit')[0].nice === Math.min(19, own + 3),
        'the audit writer never reached the configured priority'
      );
      // The first read thread has validated before the server listened, and answered searches since.
      const reads = named(threads, 'fhir-read-');
      assert.ok(reads.some((t) => t.name === 'fhir-read-1'), JSON.stringify(reads));
      assert.ok(reads.every((t) => t.nice === own), JSON.stringify(reads));
      assert.ok(
        threads.filter((t) => t.name !== 'fhir-audit').every((t) => t.nice === own),
        'no other thread is lowered'
      );
    });
  });
});
