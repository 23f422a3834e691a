// The process's memory settings that only take effect when a process starts (docs/performance.md,
// "Memory"): the server thread's V8 old generation (FHIR_HEAP_MB, --max-old-space-size), how far V8 lets
// every thread's heap grow between full collections (FHIR_HEAP_GROWTH_PERCENT, --heap-growing-percent,
// which node does not take in NODE_OPTIONS) and glibc's malloc (MALLOC_ARENA_MAX, MALLOC_MMAP_THRESHOLD_:
// config.ts, mallocDefaults). Start-up replaces the process with itself, the flags and the settings
// (execve: the same pid, so signals, a container's PID 1 and supervisors see no change); the second start
// finds them in place and goes on.

/** node's flags, as written on a command line (or, for the limit, in NODE_OPTIONS). */
const heapFlag = /^--max[-_]old[-_]space[-_]size/;
const growthFlag = /^--heap[-_]growing[-_]percent/;

/**
 * What the process must start with: an old-generation limit (0 or undefined: none), V8's growth factor
 * (0: its own) and malloc's environment settings (config.ts).
 */
export interface StartSettings {
  heapMiB: number | undefined;
  heapGrowthPercent: number;
  mallocEnv: Record<string, string>;
}

/**
 * Starts this process again with what `settings` asks that it does not run with yet. Returns only when it
 * does not restart: nothing missing, flags node already runs with (its command line, or this function
 * before), or a platform without execve (Windows) or without glibc (whose malloc settings are the only
 * ones given). Call it first, before any thread or file is opened.
 */
export function restartWithMemorySettings(settings: StartSettings, runsOnGlibc: () => boolean = isGlibc): void {
  const given = (flag: RegExp): boolean => process.execArgv.some((arg) => flag.test(arg));
  const flags = [
    ...(settings.heapMiB && !given(heapFlag) ? [`--max-old-space-size=${settings.heapMiB}`] : []),
    ...(settings.heapGrowthPercent && !given(growthFlag) ? [`--heap-growing-percent=${settings.heapGrowthPercent}`] : []),
  ];
  // config.ts lists only the settings the environment lacks: none after a restart.
  const env = Object.keys(settings.mallocEnv).length && runsOnGlibc() ? settings.mallocEnv : {};
  if ((!flags.length && !Object.keys(env).length) || typeof process.execve !== 'function') {
    return;
  }
  process.execve(process.execPath, [process.execPath, ...flags, ...process.execArgv, ...process.argv.slice(1)], { ...process.env, ...env });
}

/** Whether node runs on glibc (its diagnostic report names the glibc version; musl's has none). */
function isGlibc(): boolean {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  return typeof report?.header?.glibcVersionRuntime === 'string';
}
