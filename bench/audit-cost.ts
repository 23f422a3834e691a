// `npm run bench:audit`: what auditing costs. Loads the generated data once (10k resources by default),
// then measures read Patient by id, vread Observation and create Observation (16 clients each) on copies
// of that store, pausing between workloads so that none is measured while the audit writer still stores
// an earlier one's events (docs/performance.md: that is what made vread look dearer than read), with
// FHIR_AUDIT=on and off, alternating on/off back to back so that machine load drifts alike; counts
// the AuditEvents the "on" runs wrote per request; and measures the bytes an event takes in the SQLite
// store (its JSON and its index rows) by writing a few thousand typical events into a fresh file store.
// The load average at the start of each run is recorded beside it: compare ratios, not absolutes.
// Results go to bench/results/<date>-audit.json and .md, and the markdown to stdout.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { storeWriter } from '../server/audit/audit-trail';
import { eventTexts, parseEventLines } from '../server/audit/audit-worker-writer';
import type { AuditRecord } from '../server/audit/audit-record';
import { restEventsOf } from '../server/audit/events-rest';
import { restEventFacts } from '../server/audit/rest-event-facts';
import type { Caller } from '../server/fhir/pipeline/caller';
import type { HookCall } from '../server/fhir/pipeline/hooks';
import type { FhirContext } from '../server/fhir/request';
import { SearchParameterRegistry } from '../server/search/indexing/registry';
import { createResourceIndexer } from '../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../server/store/adapters';
import { loadResourceDefinitions } from '../server/fhir/resource-definitions';
import { FhirClient } from './fhir-client';
import { runLoad, type LoadRun } from './http-load';
import { loadNetwork, loadResources } from './load-data';
import { describeMachine } from './machine';
import { commandLineFlags } from './options';
import { startServerProcess } from './server-process';
import { createWorkloads } from './workloads/create';
import { readWorkloads } from './workloads/read';
import type { Workload } from './workloads/workload';

interface Options {
  size: number;
  rounds: number;
  durationMs: number;
  warmupMs: number;
  seed: number;
  outDir: string;
  /** Only the in-process measure of the writer (bytes and CPU per event), no server runs. */
  writerOnly: boolean;
}

const usage = 'Usage: npm run bench:audit -- [--size 10000] [--rounds 3] [--duration 4] [--warmup 6] [--out DIR] [--writer-only]';

function parse(argv: string[]): Options {
  // Each run starts a server: with auditing on its throughput climbs for about 5 s (the writer thread's
  // code warming up beside the server's) before it settles, so a 1 s warm-up measured part of the climb
  // and overstated the cost (docs/performance.md, "Auditing at steady state").
  const options: Options = { size: 10_000, rounds: 3, durationMs: 4000, warmupMs: 6000, seed: 20261123, outDir: path.resolve(__dirname, '../../bench/results'), writerOnly: false };
  for (const { flag, value } of commandLineFlags(argv, usage)) {
    if (flag === '--size') options.size = Number(value().replace(/k$/i, '000'));
    else if (flag === '--rounds') options.rounds = Number(value());
    else if (flag === '--duration') options.durationMs = Number(value()) * 1000;
    else if (flag === '--warmup') options.warmupMs = Number(value()) * 1000;
    else if (flag === '--out') options.outDir = path.resolve(value());
    else if (flag === '--writer-only') options.writerOnly = true;
    else throw new Error(`unknown flag ${flag}\n${usage}`);
  }
  return options;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fileBytes = (file: string): number => ['', '-wal', '-shm'].reduce((n, s) => n + (fs.existsSync(file + s) ? fs.statSync(file + s).size : 0), 0);

interface ModeRun {
  mode: 'on' | 'off';
  workload: string;
  run: LoadRun;
  /** The one-minute load average when the run started. */
  loadAverage: number;
}

/** Loads the data once through a server with auditing off, into `dir`. */
async function loadOnce(dir: string, options: Options): Promise<number> {
  const server = await startServerProcess({ FHIR_DATA_DIR: dir, FHIR_SEED: 'off', FHIR_AUDIT: 'off' });
  const client = new FhirClient(server.baseUrl, server.headers.Authorization?.replace(/^Bearer /, ''));
  try {
    await loadNetwork(client, true, log);
    return (await loadResources(client, 0, options.size, options.seed, true, log)).nextPatient;
  } finally {
    await client.close();
    await server.stop();
  }
}

/** One round of one mode: a server on a copy of the loaded store, every workload, the events written. */
async function measureMode(loaded: string, patients: number, mode: 'on' | 'off', workloads: Workload[], options: Options): Promise<{ runs: ModeRun[]; requests: number; events: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `fhir-audit-${mode}-`));
  fs.cpSync(loaded, dir, { recursive: true });
  const server = await startServerProcess({ FHIR_DATA_DIR: dir, FHIR_SEED: 'off', FHIR_AUDIT: mode });
  const token = server.headers.Authorization?.replace(/^Bearer /, '');
  const client = new FhirClient(server.baseUrl, token);
  const runs: ModeRun[] = [];
  let requests = 0;
  try {
    for (const workload of workloads) {
      const prepared = await workload.prepare({ client, patients, seed: options.seed });
      if ('unsupported' in prepared) throw new Error(`${workload.name}: ${prepared.unsupported}`);
      // The audit writer keeps at most about half a second of events waiting (docs/audit.md): let it finish.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const loadAverage = os.loadavg()[0];
      const run = await runLoad({ base: server.baseUrl, token, connections: workload.connections, durationMs: options.durationMs, warmupMs: options.warmupMs, nextRequest: prepared.nextRequest });
      runs.push({ mode, workload: workload.name, run, loadAverage });
    }
    // Events per request, exactly: a counted number of each workload's requests, once the buffer is written.
    let events = 0;
    if (mode === 'on') {
      const count = async (): Promise<number> => {
        await new Promise((resolve) => setTimeout(resolve, 600));
        return Number((await client.request('GET', 'AuditEvent?_summary=count')).body?.total ?? 0);
      };
      for (const workload of workloads) {
        const prepared = await workload.prepare({ client, patients, seed: options.seed + 7 });
        if ('unsupported' in prepared) continue;
        const before = await count();
        for (let i = 0; i < 100; i++) {
          const next = prepared.nextRequest();
          await client.request(next.method as 'GET', next.path, next.body === undefined ? undefined : JSON.parse(next.body));
        }
        // The first count request is audited too (the probe's event was counted before); the second is not yet.
        events += (await count()) - before - 1;
        requests += 100;
      }
    }
    await client.close();
    await server.stop();
    return { runs, requests, events };
  } finally {
    await server.stop().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Bytes per stored AuditEvent (JSON and search entries), from a fresh file store holding `count` typical
 * events, and the CPU the writer spends per event (this process's CPU time around each batch's write, in
 * batches of 100 as the server's writer thread writes them).
 */
async function bytesPerEvent(count: number): Promise<{ perEvent: number; jsonPerEvent: number; writerCpuMsPerEvent: number; handOverCpuMsPerEvent: number }> {
  loadResourceDefinitions();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-audit-bytes-'));
  const file = path.join(dir, 'fhir.sqlite');
  const indexer = createResourceIndexer(new SearchParameterRegistry());
  try {
    let store = openSqliteStore({ file, synchronous: 'NORMAL', indexer });
    await store.update({ resourceType: 'Organization', id: 'o', name: 'baseline' });
    await store.close();
    const before = fileBytes(file);
    store = openSqliteStore({ file, synchronous: 'NORMAL', indexer });
    const write = storeWriter(store);
    const clinicianCaller: Caller = { kind: 'user', clientId: 'his-vendor-a-emr', organizations: ['Organization/clinic-12'], roles: ['clinician'], scopes: ['user/*.cruds'], sourceAddress: '10.20.30.40' };
    let json = 0;
    let cpuMicros = 0;
    let handOverMicros = 0;
    const cpu = (start: NodeJS.CpuUsage): number => {
      const used = process.cpuUsage(start);
      return used.user + used.system;
    };
    const timed = async (records: AuditRecord[]): Promise<void> => {
      // The server's thread: the batch's texts (audit-worker-writer.ts, a line of facts per interaction).
      let start = process.cpuUsage();
      const texts = eventTexts(records);
      handOverMicros += cpu(start);
      // The writer thread: the lines read back, the events built and stored.
      start = process.cpuUsage();
      await write(texts.flatMap(parseEventLines));
      cpuMicros += cpu(start);
    };
    const batch: AuditRecord[] = [];
    for (let i = 0; i < count; i++) {
      // Reads of 5,000 patients' records by 200 clinicians, in a scattered order as traffic comes (7919 and
      // 31 are coprime to 5,000 and 200): each event's lookup entries land on other pages of the b-trees.
      const id = `p${(i * 7919) % 5000}`;
      const clinician = `pr-${String((i * 31) % 200).padStart(6, '0')}`;
      const caller: Caller = { ...clinicianCaller, user: `PractitionerRole/${clinician}`, account: clinician.replace('pr', 'dr') };
      const call = { request: { method: 'GET', path: `Observation/${id}-e1-bp`, query: new URLSearchParams(), headers: {}, caller }, interaction: { code: 'read', resourceType: 'Observation', id: `${id}-e1-bp` }, caller, context: {} as FhirContext } as HookCall;
      const resource = { resourceType: 'Observation', id: `${id}-e1-bp`, meta: { versionId: '1' }, status: 'final', code: {}, subject: { reference: `Patient/${id}` } } as const;
      // The server's thread gathers the interaction's facts (rest-event-facts.ts); the writer builds the event.
      const start = process.cpuUsage();
      const facts = restEventFacts(call, { response: { status: 200, body: resource as never }, resources: [resource as never] }, 'https://fhir.example.org');
      handOverMicros += cpu(start);
      json += Buffer.byteLength(JSON.stringify(restEventsOf(facts)[0]));
      batch.push(facts);
      if (batch.length === 100) await timed(batch.splice(0));
    }
    if (batch.length) await timed(batch);
    await store.close();
    return { perEvent: (fileBytes(file) - before) / count, jsonPerEvent: json / count, writerCpuMsPerEvent: cpuMicros / 1000 / count, handOverCpuMsPerEvent: handOverMicros / 1000 / count };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const options = parse(process.argv.slice(2));
  if (options.writerOnly) {
    const bytes = await bytesPerEvent(20_000);
    console.log(`bytes per stored event: ${bytes.perEvent.toFixed(0)} (JSON alone ${bytes.jsonPerEvent.toFixed(0)}); writer CPU per event (in process, batches of 100, reading the lines and building the events included): ${bytes.writerCpuMsPerEvent.toFixed(3)} ms; the server thread's facts and hand-over (restEventFacts and the lines): ${bytes.handOverCpuMsPerEvent.toFixed(3)} ms; load average ${os.loadavg()[0].toFixed(2)}`);
    return;
  }
  const machine = describeMachine();
  const loaded = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-audit-loaded-'));
  const measured = new Set(['read Patient by id (c=16)', 'vread Observation (c=16)', 'create Observation (c=16)']);
  const workloads = [...readWorkloads, ...createWorkloads].filter((w) => measured.has(w.name));
  const runs: ModeRun[] = [];
  let events = 0;
  let requests = 0;
  try {
    log(`loading ${options.size} resources once`);
    const patients = await loadOnce(loaded, options);
    for (let round = 0; round < options.rounds; round++) {
      for (const mode of round % 2 === 0 ? (['on', 'off'] as const) : (['off', 'on'] as const)) {
        log(`round ${round + 1}/${options.rounds}: FHIR_AUDIT=${mode} (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
        const measured = await measureMode(loaded, patients, mode, workloads, options);
        runs.push(...measured.runs);
        if (mode === 'on') {
          events += measured.events;
          requests += measured.requests;
        }
      }
    }
  } finally {
    fs.rmSync(loaded, { recursive: true, force: true });
  }
  const bytes = await bytesPerEvent(20_000);
  const rows = workloads.map((w) => {
    const rate = (mode: 'on' | 'off'): number => median(runs.filter((r) => r.mode === mode && r.workload === w.name).map((r) => r.run.requestsPerSecond));
    const p50 = (mode: 'on' | 'off'): number => median(runs.filter((r) => r.mode === mode && r.workload === w.name).map((r) => r.run.p50Ms));
    const load = median(runs.filter((r) => r.workload === w.name).map((r) => r.loadAverage));
    return { workload: w.name, on: rate('on'), off: rate('off'), cost: 1 - rate('on') / rate('off'), p50On: p50('on'), p50Off: p50('off'), load };
  });
  const results = { date: new Date().toISOString(), machine, loadAverageAtEnd: os.loadavg(), options, rows, eventsPerRequest: events / Math.max(requests, 1), bytes, runs };
  const markdown = [
    `# Audit cost ${results.date}`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, load average at start ${machine.loadAverage.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
    `${options.size.toLocaleString('en')} resources; ${options.rounds} rounds alternating on/off, ${options.durationMs / 1000} s per run after ${options.warmupMs / 1000} s warm-up; medians`,
    '',
    '| workload | FHIR_AUDIT=on req/s | off req/s | cost | p50 ms on | p50 ms off | load average (median at run start) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.workload} | ${r.on.toFixed(0)} | ${r.off.toFixed(0)} | ${(r.cost * 100).toFixed(1)}% | ${r.p50On.toFixed(2)} | ${r.p50Off.toFixed(2)} | ${r.load.toFixed(1)} |`),
    '',
    `AuditEvents per request: ${results.eventsPerRequest.toFixed(3)}; bytes per stored event (SQLite, JSON + search entries): ${bytes.perEvent.toFixed(0)} (JSON alone ${bytes.jsonPerEvent.toFixed(0)}); audit bytes per request: ${(results.eventsPerRequest * bytes.perEvent).toFixed(0)}; writer CPU per event (in process, batches of 100, reading the lines and building the events included): ${bytes.writerCpuMsPerEvent.toFixed(3)} ms; the server thread's hand-over: ${bytes.handOverCpuMsPerEvent.toFixed(3)} ms`,
  ].join('\n');
  fs.mkdirSync(options.outDir, { recursive: true });
  const stem = path.join(options.outDir, `${results.date.slice(0, 16).replace(':', '-')}-audit`);
  fs.writeFileSync(`${stem}.json`, JSON.stringify(results, null, 2) + '\n');
  fs.writeFileSync(`${stem}.md`, markdown + '\n');
  console.log(markdown);
  log(`results: ${stem}.json, .md`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
