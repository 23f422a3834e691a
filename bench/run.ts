// `npm run bench`: starts our server on a fresh embedded store (or measures --target), loads the
// generated data size by size, runs every workload several times, and writes
// bench/results/<date>.json, .md and .svg; the markdown table also goes to stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FhirClient } from './fhir-client';
import { runLoad } from './http-load';
import { loadedPatients, loadNetwork, loadResources, supportsTransactions } from './load-data';
import { patientResourceTypes } from './generator/patient-records';
import { describeMachine } from './machine';
import { parseBenchOptions, UsageError, type BenchOptions } from './options';
import { formatSeconds } from './progress';
import { measureRawSqlite } from './raw-sqlite';
import { renderChart } from './report/chart-svg';
import { renderMarkdown } from './report/markdown';
import { summarize, type BenchResults, type SizeResult, type WorkloadResult } from './results';
import { startServerProcess, type ServerProcess } from './server-process';
import { measureValidation } from './validation-in-process';
import { measureJsonHandling } from './json-in-process';
import { createWorkloads } from './workloads/create';
import { dispatchWorkloads } from './workloads/dispatch';
import { historyWorkloads } from './workloads/history';
import { measureWorkloads } from './workloads/measures';
import { ingestWorkloads } from './workloads/ingest';
import { readWorkloads } from './workloads/read';
import { restrictedWorkloads } from './workloads/restricted';
import { searchWorkloads } from './workloads/search';
import { searchMixWorkloads } from './workloads/search-mix';
import { terminologyWorkloads } from './workloads/terminology';
import { reviewWorkloads } from './workloads/review';
import type { Workload, WorkloadContext } from './workloads/workload';


export async function runBenchmark(given: BenchOptions): Promise<BenchResults> {
  let options = given;
  const log = options.quiet ? (): void => undefined : logLine;
  const machine = describeMachine();
  let server: ServerProcess | undefined;
  let dataDir: string | undefined;
  if (!options.target) {
    dataDir = options.store ?? fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-bench-'));
    // A minute to start: loading the shipped terminology and profiles takes a while on a busy machine;
    // an existing store may also have migrations to run.
    server = await startServerProcess({ FHIR_DATA_DIR: dataDir, FHIR_SEED: 'off', ...options.serverEnv }, options.store ? 600_000 : 60_000);
    log(`started our server at ${server.baseUrl} on ${options.store ? 'the existing' : 'a fresh'} SQLite store in ${dataDir}`);
    // Security is on, as `npm start` runs it (unless --server-env FHIR_AUTH=off): every request carries an administrator's token.
    const bearer = server.headers.Authorization?.replace(/^Bearer /, '');
    options = { ...options, ...(bearer && !options.token ? { token: bearer } : {}) };
  }
  const base = options.target ?? server!.baseUrl;
  const client = new FhirClient(base, options.token);
  try {
    const metadata = await client.request('GET', 'metadata');
    if (metadata.status !== 200) {
      throw new Error(`${base}/metadata answered ${metadata.status}: is --target a FHIR R4 base URL (and --token valid)?`);
    }
    const software = metadata.body?.software ? `${metadata.body.software.name} ${metadata.body.software.version ?? ''}`.trim() : undefined;
    const useTransactions = await supportsTransactions(client);
    log(`loading with ${useTransactions ? 'transaction Bundles' : 'single PUTs (the target takes no transactions)'}`);

    const results: BenchResults = {
      date: new Date().toISOString(),
      machine,
      target: { url: base, ownServer: !!server, software, store: server ? 'sqlite' : undefined },
      settings: {
        runs: options.runs,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        seed: options.seed,
        smoke: options.smoke,
        ...(Object.keys(options.serverEnv).length ? { serverEnv: options.serverEnv } : {}),
        ...(options.store ? { store: options.store } : {}),
      },
      sizes: [],
      validationInProcess: [],
    };
    // An existing store goes on after the generated patients it holds; the network is already in it.
    let nextPatient = options.store ? await loadedPatients(client) : 0;
    if (nextPatient > 0) {
      log(`the store holds the generated patients 0 to ${(nextPatient - 1).toLocaleString('en')}`);
    } else {
      // The patients refer to the network's organizations and staff: it is loaded first.
      await loadNetwork(client, useTransactions, log);
    }
    let stored = await countStored(client);
    for (const size of options.sizes) {
      const load = await loadResources(client, nextPatient, Math.max(0, size - stored), options.seed, useTransactions, log);
      nextPatient = load.nextPatient;
      stored = await countStored(client);
      log(`${stored.toLocaleString('en')} resources stored; measuring`);
      const context: WorkloadContext = { client, patients: nextPatient, seed: options.seed, ...(server?.userToken ? { userToken: server.userToken } : {}) };
      const sizeResult: SizeResult = {
        storedResources: stored,
        load: { resources: load.resources, seconds: load.seconds, perSecond: load.resources / Math.max(load.seconds, 1e-3), method: load.method },
        workloads: [],
      };
      // Read-only workloads first, so that they see exactly the loaded data.
      const workloads = [
        ...readWorkloads,
        ...restrictedWorkloads,
        ...searchWorkloads,
        ...searchMixWorkloads,
        ...historyWorkloads,
        ...terminologyWorkloads,
        ...measureWorkloads,
        ...reviewWorkloads,
        ...createWorkloads,
        ...dispatchWorkloads,
        ...ingestWorkloads,
      ].filter(
        (w) => !options.only || options.only.some((word) => w.name.toLowerCase().includes(word))
      );
      for (const [i, workload] of workloads.entries()) {
        const left = (workloads.length - i) * options.runs * (options.durationMs + options.warmupMs) / 1000;
        log(`  [${i + 1}/${workloads.length}] ${workload.name} (about ${formatSeconds(left)} left at this size)`);
        sizeResult.workloads.push(await measure(workload, context, base, options, log, server && (() => server!.cpuSeconds())));
      }
      if (server) {
        sizeResult.serverPeakRssMiB = (server.peakRssBytes() ?? 0) / 2 ** 20 || undefined;
        sizeResult.storeDiskMiB = directoryBytes(dataDir!) / 2 ** 20;
      }
      results.sizes.push(sizeResult);
      stored = await countStored(client);
    }
    log('measuring validation in-process and raw SQLite');
    results.validationInProcess = await measureValidation(options.seed, options.runs, options.smoke ? 100 : 1000);
    results.jsonInProcess = await measureJsonHandling(options.seed, options.runs, options.smoke ? 100 : 1000);
    results.rawSqlite = measureRawSqlite(options.smoke ? 5000 : 200_000);
    return results;
  } finally {
    await client.close();
    await server?.stop();
    if (dataDir && !options.store) {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
}

async function measure(
  workload: Workload,
  context: WorkloadContext,
  base: string,
  options: BenchOptions,
  log: (message: string) => void,
  serverCpuSeconds?: () => number | undefined
): Promise<WorkloadResult> {
  const prepared = await workload.prepare(context);
  if ('unsupported' in prepared) {
    log(`    not supported: ${prepared.unsupported}`);
    return { name: workload.name, group: workload.group, connections: workload.connections, supported: false, reason: prepared.unsupported };
  }
  const runs = [];
  for (let r = 0; r < options.runs; r++) {
    runs.push(
      await runLoad({
        base,
        token: options.token,
        connections: workload.connections,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs,
        nextRequest: prepared.nextRequest,
        resourcesPerRequest: prepared.resourcesPerRequest,
        serverCpuSeconds,
      })
    );
  }
  const failure = runs.find((r) => r.firstFailure)?.firstFailure;
  if (failure) {
    log(`    failures, first: ${failure}`);
  }
  const summary = summarize(workload.name, workload.group, workload.connections, runs);
  return prepared.kinds ? withKindOrder(summary, prepared.kinds, log) : summary;
}

/** A mixed workload's kinds in the workload's own order, with those it left out and why. */
function withKindOrder(summary: WorkloadResult, kinds: { kind: string; unsupported?: string }[], log: (message: string) => void): WorkloadResult {
  const unsupportedKinds = kinds.filter((k) => k.unsupported).map((k) => ({ kind: k.kind, reason: k.unsupported as string }));
  unsupportedKinds.forEach(({ kind, reason }) => log(`    left out of the mix: ${kind}: ${reason}`));
  const order = kinds.map((k) => k.kind);
  return {
    ...summary,
    kinds: [...(summary.kinds ?? [])].sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind)),
    ...(unsupportedKinds.length ? { unsupportedKinds } : {}),
  };
}

export async function countStored(client: FhirClient): Promise<number> {
  let total = 0;
  for (const type of patientResourceTypes) {
    const reply = await client.request('GET', `${type}?_summary=count`);
    total += Number(reply.body?.total ?? 0);
  }
  return total;
}

function directoryBytes(dir: string): number {
  return fs.readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
    const p = path.join(dir, e.name);
    return n + (e.isDirectory() ? directoryBytes(p) : fs.statSync(p).size);
  }, 0);
}

function logLine(message: string): void {
  process.stderr.write(`${message}\n`);
}

export function writeResults(results: BenchResults, outDir: string): string {
  fs.mkdirSync(outDir, { recursive: true });
  const stem = path.join(outDir, results.date.slice(0, 16).replace(':', '-'));
  fs.writeFileSync(`${stem}.json`, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(`${stem}.md`, renderMarkdown(results) + '\n');
  fs.writeFileSync(`${stem}.svg`, renderChart(results));
  return stem;
}

async function main(): Promise<void> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2), path.resolve(__dirname, '../../bench/results'));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const started = performance.now();
  const results = await runBenchmark(options);
  const stem = writeResults(results, options.outDir);
  console.log(renderMarkdown(results));
  logLine(`results: ${stem}.json, .md, .svg (${formatSeconds((performance.now() - started) / 1000)})`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
