// The soak: the benchmark's workloads mixed (reads, searches, history, terminology, creates, small
// transactions) against one server for a long time, in segments; after each segment the server's resident
// memory is sampled. Nothing may answer with an error, and memory may not keep growing after the warm-up.
import type { FhirClient } from './fhir-client';
import { runLoad, type BenchRequest, type LoadRun } from './http-load';
import type { ServerProcess } from './server-process';
import { createWorkloads } from './workloads/create';
import { historyWorkloads } from './workloads/history';
import { ingestWorkloads } from './workloads/ingest';
import { readWorkloads } from './workloads/read';
import { searchWorkloads } from './workloads/search';
import { terminologyWorkloads } from './workloads/terminology';

export interface SoakOptions {
  client: FhirClient;
  server: ServerProcess;
  patients: number;
  seed: number;
  durationMs: number;
  /** Segments whose memory counts as warm-up (the caches filling); growth is measured after them. */
  warmupMs: number;
  segmentMs: number;
  connections: number;
  log?: (line: string) => void;
}

export interface SoakSegment {
  /** Seconds from the start of the soak to the end of the segment. */
  atSeconds: number;
  rssMiB: number;
  requests: number;
  errors: number;
  p99Ms: number;
}

export interface SoakFigures {
  durationSeconds: number;
  /** Resources stored when the soak began (its creates add more). */
  storedResources?: number;
  connections: number;
  workloads: string[];
  requests: number;
  /** Answers that were not 2xx: must be 0. */
  errors: number;
  firstError?: string;
  /** The worst segment's p99 latency. */
  p99Ms: number;
  rssAfterWarmupMiB: number;
  rssPeakAfterWarmupMiB: number;
  /** Peak after the warm-up over the value at its end, minus one: must stay under 0.2. */
  memoryGrowth: number;
  segments: SoakSegment[];
}

export async function runSoak(options: SoakOptions): Promise<SoakFigures> {
  const context = { client: options.client, patients: options.patients, seed: options.seed };
  // Every workload the benchmark measures, except transactions of 1,000 entries (a bulk load, not traffic).
  const workloads = [...readWorkloads, ...searchWorkloads, ...historyWorkloads, ...terminologyWorkloads, ...createWorkloads, ...ingestWorkloads].filter(
    (w) => !w.name.includes('1000 entries')
  );
  const mix: { name: string; next: () => BenchRequest }[] = [];
  for (const workload of workloads) {
    const prepared = await workload.prepare(context);
    if ('nextRequest' in prepared) {
      mix.push({ name: workload.name, next: prepared.nextRequest });
    }
  }
  let turn = 0;
  const nextRequest = (): BenchRequest => mix[turn++ % mix.length].next();
  const rss = (): number => (options.server.rssBytes() ?? 0) / 2 ** 20;
  const segments: SoakSegment[] = [];
  const started = performance.now();
  let firstError: string | undefined;
  while (performance.now() - started < options.durationMs) {
    const run: LoadRun = await runLoad({
      base: options.server.baseUrl,
      // The server the soak started runs with security on: its administrator's token.
      token: options.server.headers.Authorization?.replace(/^Bearer /, ''),
      connections: options.connections,
      durationMs: options.segmentMs,
      warmupMs: 0,
      nextRequest,
    });
    firstError ??= run.firstFailure;
    const segment = {
      atSeconds: (performance.now() - started) / 1000,
      rssMiB: rss(),
      requests: run.requests,
      errors: run.failures,
      p99Ms: run.p99Ms,
    };
    segments.push(segment);
    options.log?.(`soak ${segment.atSeconds.toFixed(0)} s: ${run.requests} requests, ${run.failures} errors, p99 ${run.p99Ms.toFixed(1)} ms, RSS ${segment.rssMiB.toFixed(0)} MiB`);
  }
  const warm = segments.filter((s) => s.atSeconds * 1000 <= options.warmupMs);
  const after = segments.slice(Math.max(warm.length, 1) - 1);
  const rssAfterWarmup = after[0].rssMiB;
  const rssPeak = Math.max(...after.map((s) => s.rssMiB));
  return {
    durationSeconds: (performance.now() - started) / 1000,
    connections: options.connections,
    workloads: mix.map((m) => m.name),
    requests: segments.reduce((n, s) => n + s.requests, 0),
    errors: segments.reduce((n, s) => n + s.errors, 0),
    firstError,
    p99Ms: Math.max(...segments.map((s) => s.p99Ms)),
    rssAfterWarmupMiB: rssAfterWarmup,
    rssPeakAfterWarmupMiB: rssPeak,
    memoryGrowth: rssAfterWarmup > 0 ? rssPeak / rssAfterWarmup - 1 : 0,
    segments,
  };
}
