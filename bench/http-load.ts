// The load generator: undici connection pool, N concurrent request loops for a fixed time after a
// warm-up, every latency recorded, so percentiles are exact rather than estimated from buckets.
import { Pool } from 'undici';
import { splitBase } from './fhir-client';

export interface BenchRequest {
  method: 'GET' | 'POST' | 'PUT';
  /** Below the FHIR base, e.g. 'Patient/123' or 'Observation?code=...'. */
  path: string;
  body?: string;
  headers?: Record<string, string>;
  /** The kind of query in a mixed workload: latencies are also reported per kind. */
  kind?: string;
}

export interface LoadOptions {
  /** The FHIR base URL; it may have a path (http://host/fhir). */
  base: string;
  token?: string;
  connections: number;
  durationMs: number;
  warmupMs: number;
  /** Called for every request; may rotate through ids. */
  nextRequest: () => BenchRequest;
  /** Resources each request carries, for resources/s (1 unless a Bundle). */
  resourcesPerRequest?: number;
  /** The server's CPU time so far in seconds (all its threads), when the benchmark started it. */
  serverCpuSeconds?: () => number | undefined;
}

/** Latencies of one kind of request in a mixed workload. */
export interface KindLatency {
  kind: string;
  requests: number;
  p50Ms: number;
  p95Ms: number;
}

export interface LoadRun {
  requests: number;
  requestsPerSecond: number;
  resourcesPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Responses that were not 2xx (the run still counts them in latency). */
  failures: number;
  firstFailure?: string;
  /** The server's CPU use while recording, in percent of one core (200 is two cores busy). */
  serverCpuPercent?: number;
  /** Per kind of request, when the workload labels its requests. */
  kinds?: KindLatency[];
}

export async function runLoad(options: LoadOptions): Promise<LoadRun> {
  const { origin, prefix } = splitBase(options.base);
  const pool = new Pool(origin, { connections: options.connections, pipelining: 1 });
  const headers: Record<string, string> = { accept: 'application/fhir+json' };
  if (options.token) {
    headers.authorization = `Bearer ${options.token}`;
  }
  const latencies: number[] = [];
  const byKind = new Map<string, number[]>();
  let failures = 0;
  let firstFailure: string | undefined;
  let recording = false;
  let stopped = false;

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const req = options.nextRequest();
      const started = performance.now();
      const res = await pool.request({
        origin,
        method: req.method,
        path: prefix + req.path,
        body: req.body,
        headers: { ...headers, ...(req.body ? { 'content-type': 'application/fhir+json' } : {}), ...req.headers },
      });
      const text = await res.body.text();
      const elapsed = performance.now() - started;
      if (!recording) {
        continue;
      }
      latencies.push(elapsed);
      if (req.kind !== undefined) {
        const kindLatencies = byKind.get(req.kind) ?? [];
        kindLatencies.push(elapsed);
        byKind.set(req.kind, kindLatencies);
      }
      if (res.statusCode < 200 || res.statusCode >= 300) {
        failures++;
        firstFailure ??= `${req.method} ${req.path} -> ${res.statusCode} ${text.slice(0, 300)}`;
      }
    }
  };
  const loops = Array.from({ length: options.connections }, loop);
  await sleep(options.warmupMs);
  recording = true;
  const cpuAtStart = options.serverCpuSeconds?.();
  const started = performance.now();
  await sleep(options.durationMs);
  // A run of slow requests (a 1,000-entry transaction) may finish none inside a short window: it
  // then goes on until each connection has finished one, and the rate is taken over that longer time.
  while (latencies.length < options.connections) {
    await sleep(5);
  }
  recording = false;
  const seconds = (performance.now() - started) / 1000;
  const cpuAtEnd = options.serverCpuSeconds?.();
  stopped = true;
  await Promise.all(loops);
  await pool.close();
  latencies.sort((a, b) => a - b);
  const requestsPerSecond = latencies.length / seconds;
  return {
    requests: latencies.length,
    requestsPerSecond,
    resourcesPerSecond: requestsPerSecond * (options.resourcesPerRequest ?? 1),
    p50Ms: percentile(latencies, 0.5),
    p95Ms: percentile(latencies, 0.95),
    p99Ms: percentile(latencies, 0.99),
    failures,
    firstFailure,
    ...(cpuAtStart !== undefined && cpuAtEnd !== undefined ? { serverCpuPercent: ((cpuAtEnd - cpuAtStart) / seconds) * 100 } : {}),
    ...(byKind.size ? { kinds: [...byKind].map(([kind, values]) => kindLatency(kind, values)) } : {}),
  };
}

function kindLatency(kind: string, values: number[]): KindLatency {
  values.sort((a, b) => a - b);
  return { kind, requests: values.length, p50Ms: percentile(values, 0.5), p95Ms: percentile(values, 0.95) };
}

export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) {
    return NaN;
  }
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
