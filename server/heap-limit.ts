// The server thread's V8 heap, bounded (docs/performance.md, "Memory"). V8 sizes the old generation
// from the allocation rate: under a load of large transaction Bundles it let the heap grow to 470-565 MiB,
// mostly garbage, before its first full collection. A limit makes it collect sooner. V8 reads
// --max-old-space-size only when the process starts, so start-up replaces the process with itself and
// the flag (execve: the same pid, so signals, a container's PID 1 and supervisors see no change).

/** node's flag for the limit, as written on a command line or in NODE_OPTIONS. */
const heapFlag = /^--max[-_]old[-_]space[-_]size/;

/**
 * Starts this process again with the old generation limited to `heapMiB`, unless node already runs with
 * a limit (given on its command line, or by this function before) or none is wanted (0, undefined).
 * Returns only when it does not restart. Call it first, before any thread or file is opened.
 */
export function restartWithHeapLimit(heapMiB: number | undefined): void {
  if (!heapMiB || process.execArgv.some((arg) => heapFlag.test(arg))) {
    return;
  }
  // Windows has no execve: the server runs with V8's own sizing there.
  if (typeof process.execve !== 'function') {
    return;
  }
  process.execve(process.execPath, [process.execPath, `--max-old-space-size=${heapMiB}`, ...process.execArgv, ...process.argv.slice(1)], process.env);
}
