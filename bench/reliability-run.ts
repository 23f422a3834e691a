// `npm run bench:reliability`: the long reliability runs that CI runs short. Crash cycles (SIGKILL under
// concurrent writes and transactions, bench/crash-cycles.ts) and the soak (mixed load on the generated
// data set for minutes, bench/soak.ts). Writes bench/results/reliability-<date>.json and .md.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runCrashCycles, type CrashFigures } from './crash-cycles';
import { FhirClient } from './fhir-client';
import { loadNetwork, loadResources } from './load-data';
import { commandLineFlags, UsageError } from './options';
import { countStored } from './run';
import { startServerProcess } from './server-process';
import { runSoak, type SoakFigures } from './soak';

export interface ReliabilityOptions {
  crashCycles: number;
  writers: number;
  soakMinutes: number;
  /** Generated resources loaded before the soak. */
  size: number;
  connections: number;
  seed: number;
  outDir: string;
  quiet: boolean;
}

export interface ReliabilityResults {
  date: string;
  crash?: CrashFigures;
  soak?: SoakFigures;
}

const usage = `Usage: npm run bench:reliability -- [options]
  --crash-cycles N   SIGKILL cycles under concurrent writes (default 20; 0 skips)
  --writers N        concurrent writers in each cycle (default 4)
  --soak-minutes M   minutes of mixed load (default 10; 0 skips)
  --size N           generated resources loaded before the soak, e.g. 100k (default 100k)
  --connections N    concurrent clients in the soak (default 16)
  --smoke            2 crash cycles, a 20-second soak on 2k resources
  --out DIR          results directory (default bench/results)
  --quiet            no progress lines`;

export function parseReliabilityOptions(argv: string[], outDir: string): ReliabilityOptions {
  const options: ReliabilityOptions = { crashCycles: 20, writers: 4, soakMinutes: 10, size: 100_000, connections: 16, seed: 20261123, outDir, quiet: false };
  const count = (text: string, flag: string): number => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
    if (!m) {
      throw new UsageError(`${flag} takes a number like 20 or 100k; got '${text}'\n${usage}`);
    }
    return Number(m[1]) * ({ k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]] ?? 1);
  };
  for (const { flag, value } of commandLineFlags(argv, usage)) {
    switch (flag) {
      case '--crash-cycles':
        options.crashCycles = count(value(), flag);
        break;
      case '--writers':
        options.writers = count(value(), flag);
        break;
      case '--soak-minutes':
        options.soakMinutes = count(value(), flag);
        break;
      case '--size':
        options.size = count(value(), flag);
        break;
      case '--connections':
        options.connections = count(value(), flag);
        break;
      case '--smoke':
        Object.assign(options, { crashCycles: 2, soakMinutes: 1 / 3, size: 2000 });
        break;
      case '--out':
        options.outDir = value();
        break;
      case '--quiet':
        options.quiet = true;
        break;
      default:
        throw new UsageError(`Unknown option '${flag}'\n${usage}`);
    }
  }
  return options;
}

export async function runReliability(options: ReliabilityOptions): Promise<ReliabilityResults> {
  const log = options.quiet ? (): void => undefined : (line: string): void => void process.stderr.write(`${line}\n`);
  const results: ReliabilityResults = { date: new Date().toISOString() };
  if (options.crashCycles > 0) {
    results.crash = await runCrashCycles({ cycles: options.crashCycles, writers: options.writers, maxRunMs: 3000, log });
  }
  if (options.soakMinutes > 0) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-soak-'));
    const server = await startServerProcess({ FHIR_DATA_DIR: dataDir });
    // Security is on, as `npm start` runs it: the client sends the server's administrator token.
    const client = new FhirClient(server.baseUrl, server.headers.Authorization?.replace(/^Bearer /, ''));
    try {
      // The patients refer to the network's organizations and staff: it is loaded first.
      await loadNetwork(client, true, log);
      const load = await loadResources(client, 0, options.size, options.seed, true, log);
      const storedResources = await countStored(client);
      const durationMs = options.soakMinutes * 60_000;
      results.soak = await runSoak({
        client,
        server,
        patients: load.nextPatient,
        seed: options.seed,
        durationMs,
        warmupMs: Math.min(120_000, durationMs / 5),
        segmentMs: Math.min(30_000, Math.max(2000, durationMs / 20)),
        connections: options.connections,
        log,
      });
      results.soak.storedResources = storedResources;
    } finally {
      await client.close();
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }
  return results;
}

export function renderReliability(results: ReliabilityResults): string {
  const lines = [`# Reliability run ${results.date}`, ''];
  const { crash, soak } = results;
  if (crash) {
    lines.push(
      '## Crash cycles (SIGKILL under concurrent writes)',
      '',
      `${crash.cycles} cycles, ${crash.writers} writers: ${crash.acknowledgedWrites.toLocaleString('en')} acknowledged writes checked after restarts, ` +
        `${crash.transactionsChecked.toLocaleString('en')} transactions checked for all-or-nothing; ` +
        `${crash.lostWrites} lost, ${crash.halfAppliedTransactions} half-applied.`,
      ...crash.problems.map((p) => `- ${p}`),
      ''
    );
  }
  if (soak) {
    lines.push(
      '## Soak (mixed load)',
      '',
      `${(soak.durationSeconds / 60).toFixed(1)} minutes on ${soak.storedResources?.toLocaleString('en') ?? '?'} stored resources, ${soak.connections} clients, ` +
        `${soak.workloads.length} workloads mixed: ${soak.requests.toLocaleString('en')} requests, ${soak.errors} error responses` +
        `${soak.firstError ? ` (first: ${soak.firstError})` : ''}, worst segment p99 ${soak.p99Ms.toFixed(1)} ms. ` +
        `Resident memory ${soak.rssAfterWarmupMiB.toFixed(0)} MiB after the warm-up, at most ${soak.rssPeakAfterWarmupMiB.toFixed(0)} MiB after it ` +
        `(growth ${(soak.memoryGrowth * 100).toFixed(1)}%).`,
      '',
      '| at (s) | requests | errors | p99 (ms) | RSS (MiB) |',
      '| --- | --- | --- | --- | --- |',
      ...soak.segments.map((s) => `| ${s.atSeconds.toFixed(0)} | ${s.requests} | ${s.errors} | ${s.p99Ms.toFixed(1)} | ${s.rssMiB.toFixed(0)} |`),
      ''
    );
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  let options: ReliabilityOptions;
  try {
    options = parseReliabilityOptions(process.argv.slice(2), path.resolve(__dirname, '../../bench/results'));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const results = await runReliability(options);
  fs.mkdirSync(options.outDir, { recursive: true });
  const stem = path.join(options.outDir, `reliability-${results.date.slice(0, 16).replace(':', '-')}`);
  fs.writeFileSync(`${stem}.json`, JSON.stringify(results, null, 2) + '\n');
  const markdown = renderReliability(results);
  fs.writeFileSync(`${stem}.md`, markdown + '\n');
  console.log(markdown);
  const failed = (results.crash && (results.crash.lostWrites || results.crash.halfAppliedTransactions)) || (results.soak && (results.soak.errors || results.soak.memoryGrowth >= 0.2));
  process.exit(failed ? 1 : 0);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
