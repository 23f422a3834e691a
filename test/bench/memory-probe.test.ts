// The memory probe (bench/memory-probe.ts) preloaded into a process with a worker thread: a line per thread
// each second, the process's resident memory on the main thread's lines, and a full collection in every
// thread when its trigger file is touched.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const probe = path.resolve(__dirname, '../../bench/memory-probe.js');

interface ProbeLine {
  thread: string;
  afterGc: boolean;
  heapUsedMiB: number;
  rssMiB?: number;
}

describe('the memory probe', function () {
  this.timeout(60_000);

  it('reports every thread each second and their live heaps after a forced collection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-probe-'));
    const out = path.join(dir, 'probe.jsonl');
    // A main thread and a worker that both stay alive for a few seconds, allocating garbage.
    const script = `
      const { Worker } = require('node:worker_threads');
      new Worker('let junk = []; const t = setInterval(() => { junk = Array.from({ length: 1e5 }, (_, i) => ({ i })); }, 50); setTimeout(() => clearInterval(t), 5000);', { eval: true });
      setTimeout(() => fs.writeFileSync(${JSON.stringify(`${out}.gc`)}, ''), 2000);
      setTimeout(() => {}, 5000);`;
    const child = spawn(process.execPath, ['-r', probe, '-e', `const fs = require('node:fs'); ${script}`], {
      env: { ...process.env, MEMORY_PROBE_OUT: out },
      stdio: 'inherit',
    });
    try {
      await new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`exited with ${code}`)))));
      const lines = fs.readFileSync(out, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as ProbeLine);
      const threads = new Set(lines.map((line) => line.thread));
      assert.ok(threads.has('main-0'), [...threads].join(', '));
      assert.equal(threads.size, 2, [...threads].join(', '));
      assert.ok(lines.filter((line) => line.thread === 'main-0').every((line) => (line.rssMiB ?? 0) > 0), 'RSS on the main thread');
      const collected = new Set(lines.filter((line) => line.afterGc).map((line) => line.thread));
      assert.deepEqual([...collected].sort(), [...threads].sort(), 'every thread collected once touched');
    } finally {
      child.kill();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
