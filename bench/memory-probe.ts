// A memory probe for the server under a benchmark (docs/performance.md, "Memory"): preloaded into every
// thread of the server (`--server-env "NODE_OPTIONS=-r <dist>/bench/memory-probe.js" --server-env
// MEMORY_PROBE_OUT=<file>`), it appends one JSON line per thread each second with V8's heap figures, and
// for the main thread the process's resident memory split as Linux reports it. Touching `<file>.gc` makes
// every thread run a full collection and report what is live; writing thread names ("main",
// "read-worker", "audit-worker") into `<file>.snap` makes those threads write a heap snapshot beside it.
// Not part of the server: it only reads, and does nothing unless MEMORY_PROBE_OUT is set.
import fs from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { isMainThread, threadId } from 'node:worker_threads';

const out = process.env.MEMORY_PROBE_OUT;
if (out) {
  startProbe(out);
}

function startProbe(file: string): void {
  // --expose-gc cannot be given to a worker alone; set here, it gives this thread's context a gc().
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let gcSeen = mtime(`${file}.gc`);
  let snapSeen = mtime(`${file}.snap`);
  const timer = setInterval(() => {
    const name = threadName();
    const gcAt = mtime(`${file}.gc`);
    let afterGc = false;
    if (gcAt > gcSeen) {
      gcSeen = gcAt;
      gc();
      gc();
      afterGc = true;
    }
    const snapAt = mtime(`${file}.snap`);
    if (snapAt > snapSeen) {
      snapSeen = snapAt;
      if (fs.readFileSync(`${file}.snap`, 'utf8').split(/\s+/).includes(name)) {
        v8.writeHeapSnapshot(path.join(path.dirname(file), `${name}-${threadId}-${Date.now()}.heapsnapshot`));
      }
    }
    const heap = v8.getHeapStatistics();
    const usage = process.memoryUsage();
    const line = {
      t: Date.now(),
      thread: `${name}-${threadId}`,
      afterGc,
      heapUsedMiB: mib(heap.used_heap_size),
      heapTotalMiB: mib(heap.total_heap_size),
      heapLimitMiB: mib(heap.heap_size_limit),
      mallocedMiB: mib(heap.malloced_memory),
      externalMiB: mib(usage.external),
      arrayBuffersMiB: mib(usage.arrayBuffers),
      ...(isMainThread ? processMemory() : {}),
      spaces: Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, mib(s.space_used_size)])),
    };
    fs.appendFileSync(file, `${JSON.stringify(line)}\n`);
  }, 1000);
  timer.unref();
}

/** The thread's script: main, read-worker or audit-worker. */
function threadName(): string {
  if (isMainThread) {
    return 'main';
  }
  const script = require.main?.filename ?? process.argv[1] ?? 'worker';
  return path.basename(script, '.js');
}

/** VmRSS, VmHWM and the anonymous and file-backed shares of the resident set (/proc/self/status). */
function processMemory(): Record<string, number> {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const field = (name: string): number => mib(Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024);
  return { rssMiB: field('VmRSS'), hwmMiB: field('VmHWM'), anonMiB: field('RssAnon'), fileMiB: field('RssFile'), shmemMiB: field('RssShmem') };
}

function mtime(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

function mib(bytes: number): number {
  return Math.round((bytes / 2 ** 20) * 10) / 10;
}
