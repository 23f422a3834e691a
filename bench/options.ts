// The benchmark's command line: `npm run bench -- [--target URL --token T] [--sizes 10k,100k,1M] ...`.
export interface BenchOptions {
  /** Another FHIR server to measure; absent: start our own on a fresh embedded store. */
  target?: string;
  token?: string;
  /** Our own server on this existing store (kept afterwards; the write workloads add to it) instead of a fresh one. */
  store?: string;
  /** Stored-resource counts to measure at, ascending. */
  sizes: number[];
  runs: number;
  durationMs: number;
  warmupMs: number;
  seed: number;
  /** Where results go. */
  outDir: string;
  /** Tiny sizes and short runs: proves every workload runs, in seconds. */
  smoke: boolean;
  /** No progress lines on stderr. */
  quiet: boolean;
  /** When set, only workloads whose name contains one of these (case-insensitive). */
  only?: string[];
  /** Environment settings of our own server (--server-env), e.g. FHIR_RULES_OFF to measure the rules' cost. */
  serverEnv: Record<string, string>;
}

const usage = `Usage: npm run bench -- [options]
  --target URL     measure this FHIR R4 server instead of starting our own
  --token TOKEN    bearer token sent to the target
  --store DIR      start our server on this existing store (a copy you may change: the write workloads add
                   to it) and load only what the sizes still need; the directory is kept
  --sizes LIST     stored-resource counts, e.g. 10k,100k,1M (default 10k,100k)
  --runs N         runs per workload (default 3; median and spread are reported)
  --duration S     seconds per run (default 3)
  --warmup S       warm-up seconds before each run (default 1)
  --seed N         data generator seed
  --out DIR        results directory (default bench/results)
  --smoke          a tiny run that proves every workload works (sizes 300, short runs)
  --only LIST      run only the workloads whose names contain one of these words, e.g. transaction,create
  --server-env K=V a setting of our own server (repeatable), e.g. FHIR_RULES_OFF=reference-target-exists
  --quiet          no progress lines`;

export class UsageError extends Error {}

/** Walks a command line's flags; `value()` takes the flag's value, refusing a missing one. */
export function* commandLineFlags(argv: string[], usage: string): Generator<{ flag: string; value: () => string }> {
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    yield {
      flag,
      value: () => {
        const v = argv[++i];
        if (v === undefined) {
          throw new UsageError(`${flag} needs a value\n${usage}`);
        }
        return v;
      },
    };
  }
}

export function parseBenchOptions(argv: string[], defaultOutDir: string): BenchOptions {
  const options: BenchOptions = {
    sizes: [10_000, 100_000],
    runs: 3,
    durationMs: 3000,
    warmupMs: 1000,
    seed: 20261123,
    outDir: defaultOutDir,
    smoke: false,
    quiet: false,
    serverEnv: {},
  };
  for (const { flag, value } of commandLineFlags(argv, usage)) {
    switch (flag) {
      case '--target':
        options.target = value().replace(/\/+$/, '');
        break;
      case '--token':
        options.token = value();
        break;
      case '--store':
        options.store = value();
        break;
      case '--sizes':
        options.sizes = value().split(',').map(parseSize).sort((a, b) => a - b);
        break;
      case '--runs':
        options.runs = positive(value(), flag);
        break;
      case '--duration':
        options.durationMs = positive(value(), flag) * 1000;
        break;
      case '--warmup':
        options.warmupMs = Number(value()) * 1000;
        break;
      case '--seed':
        options.seed = positive(value(), flag);
        break;
      case '--out':
        options.outDir = value();
        break;
      case '--smoke':
        Object.assign(options, { smoke: true, sizes: [300], runs: 2, durationMs: 250, warmupMs: 50 });
        break;
      case '--only':
        options.only = value()
          .split(',')
          .map((w) => w.trim().toLowerCase())
          .filter(Boolean);
        break;
      case '--server-env': {
        const setting = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(value());
        if (!setting) {
          throw new UsageError(`--server-env takes NAME=value\n${usage}`);
        }
        options.serverEnv[setting[1]] = setting[2];
        break;
      }
      case '--quiet':
        options.quiet = true;
        break;
      case '--help':
        throw new UsageError(usage);
      default:
        throw new UsageError(`Unknown option '${flag}'\n${usage}`);
    }
  }
  if (options.store && options.target) {
    throw new UsageError(`--store starts our own server; it cannot be combined with --target\n${usage}`);
  }
  return options;
}

function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim());
  if (!m) {
    throw new UsageError(`--sizes takes counts like 10k,100k,1M; got '${text}'`);
  }
  const factor = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]] ?? 1;
  return Math.round(Number(m[1]) * factor);
}

/** A flag's value that must be a positive number; a UsageError naming the flag otherwise. */
export function positive(text: string, flag: string): number {
  const n = Number(text);
  if (!(n > 0)) {
    throw new UsageError(`${flag} takes a positive number; got '${text}'`);
  }
  return n;
}
