// The shape of bench/results/<date>.json, and the median/spread summary of several runs.
import type { JsonFigures } from './json-in-process';
import type { LoadRun } from './http-load';
import type { MachineInfo } from './machine';
import type { RawSqliteFigures } from './raw-sqlite';
import type { ValidationFigures } from './validation-in-process';

export interface Spread {
  median: number;
  min: number;
  max: number;
}

export interface WorkloadResult {
  name: string;
  group: string;
  connections: number;
  supported: boolean;
  /** Why not, when unsupported. */
  reason?: string;
  runs?: LoadRun[];
  requestsPerSecond?: Spread;
  resourcesPerSecond?: Spread;
  p50Ms?: Spread;
  p95Ms?: Spread;
  p99Ms?: Spread;
  failures?: number;
  /** The server's CPU use while measured, percent of one core (absent for --target). */
  serverCpuPercent?: Spread;
  /** Per kind of query, for a mixed workload: medians over runs. */
  kinds?: KindSummary[];
  /** Kinds of query the workload left out, with the reason (a probe failed). */
  unsupportedKinds?: { kind: string; reason: string }[];
}

export interface KindSummary {
  kind: string;
  requests: number;
  p50Ms: Spread;
  p95Ms: Spread;
}

export interface SizeResult {
  /** Resources the workloads were measured over (loaded; the write workloads add more after). */
  storedResources: number;
  load: { resources: number; seconds: number; perSecond: number; method: string };
  workloads: WorkloadResult[];
  serverPeakRssMiB?: number;
  storeDiskMiB?: number;
}

export interface BenchResults {
  date: string;
  machine: MachineInfo;
  target: { url: string; ownServer: boolean; software?: string; store?: string };
  settings: { runs: number; durationMs: number; warmupMs: number; seed: number; smoke: boolean; serverEnv?: Record<string, string>; store?: string };
  sizes: SizeResult[];
  validationInProcess: ValidationFigures[];
  /** What reading and writing JSON exactly as sent costs (absent in results from before it was measured). */
  jsonInProcess?: JsonFigures[];
  rawSqlite?: RawSqliteFigures;
}

export function spread(values: number[]): Spread {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

export function summarize(name: string, group: string, connections: number, runs: LoadRun[]): WorkloadResult {
  return {
    name,
    group,
    connections,
    supported: true,
    runs,
    requestsPerSecond: spread(runs.map((r) => r.requestsPerSecond)),
    resourcesPerSecond: spread(runs.map((r) => r.resourcesPerSecond)),
    p50Ms: spread(runs.map((r) => r.p50Ms)),
    p95Ms: spread(runs.map((r) => r.p95Ms)),
    p99Ms: spread(runs.map((r) => r.p99Ms)),
    failures: runs.reduce((n, r) => n + r.failures, 0),
    ...(runs.every((r) => r.serverCpuPercent !== undefined) ? { serverCpuPercent: spread(runs.map((r) => r.serverCpuPercent as number)) } : {}),
    ...(runs[0]?.kinds ? { kinds: summarizeKinds(runs) } : {}),
  };
}

/** Each kind's latencies, in the order the first run met them, as medians over the runs that had it. */
function summarizeKinds(runs: LoadRun[]): KindSummary[] {
  const names = [...new Set(runs.flatMap((r) => (r.kinds ?? []).map((k) => k.kind)))];
  return names.map((kind) => {
    const seen = runs.flatMap((r) => (r.kinds ?? []).filter((k) => k.kind === kind));
    return {
      kind,
      requests: seen.reduce((n, k) => n + k.requests, 0),
      p50Ms: spread(seen.map((k) => k.p50Ms)),
      p95Ms: spread(seen.map((k) => k.p95Ms)),
    };
  });
}
