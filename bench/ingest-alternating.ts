// The ingest comparison harness of docs/performance.md ("Transaction ingest"): the server on a fresh
// store with the network's resources, 8 warm-up Bundles, then `--bundles` Bundles of one patient's
// record each (urn:uuid references, the patient a conditional create) at 8 in flight; reports resources
// per second and per second of the server's CPU (all its threads, from /proc), the CPU time of the
// server's main thread (the writer) per resource, and the load average.
// Two builds are compared by running this file from each build's dist/ alternately (it starts the
// server of the build it belongs to).
//   node dist/bench/ingest-alternating.js [--bundles 120] [--first 60000000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeFailure, FhirClient } from './fhir-client';
import { defaultSeed, postTransaction } from './generator/dataset';
import { patientRecord } from './generator/patient-records';
import { loadNetwork } from './load-data';
import { startServerProcess } from './server-process';

const inFlight = 8;
const warmUp = 8;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
  const count = option('bundles', 120);
  const first = option('first', 60_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-ingest-'));
  const load = os.loadavg()[0];
  const server = await startServerProcess({ FHIR_DB: path.join(dir, 'fhir.sqlite') }, 60_000);
  try {
    const token = server.headers.Authorization?.replace(/^Bearer /, '');
    const client = new FhirClient(server.baseUrl, token, inFlight);
    await loadNetwork(client, true, () => undefined);
    const records = Array.from({ length: warmUp + count }, (_, i) => patientRecord(first + i, defaultSeed));
    const bundles = records.map((resources, i) => postTransaction(resources, `ingest-${i}`));
    await post(client, bundles.slice(0, warmUp));
    const cpu = server.cpuSeconds() ?? NaN;
    const pid = server.child.pid as number;
    const writerCpu = threadCpuSeconds(pid, pid);
    const started = performance.now();
    await post(client, bundles.slice(warmUp));
    const seconds = (performance.now() - started) / 1000;
    const cpuUsed = (server.cpuSeconds() ?? NaN) - cpu;
    const writerUsed = threadCpuSeconds(pid, pid) - writerCpu;
    const resources = records.slice(warmUp).reduce((sum, r) => sum + r.length, 0);
    const line = {
      build: path.resolve(__dirname, '..'),
      bundles: count,
      resources,
      seconds: round(seconds),
      resourcesPerSecond: Math.round(resources / seconds),
      serverCpuSeconds: round(cpuUsed),
      resourcesPerCpuSecond: Math.round(resources / cpuUsed),
      // The server's main thread: the writer, which every Bundle's transaction waits for.
      writerCpuSeconds: round(writerUsed),
      writerCpuMsPerResource: round((writerUsed * 1000) / resources),
      peakRssMiB: Math.round((server.peakRssBytes() ?? NaN) / 2 ** 20),
      loadAverageAtStart: round(load),
      loadAverageAtEnd: round(os.loadavg()[0]),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** POSTs the Bundles, `inFlight` at a time; any failure ends the run. */
async function post(client: FhirClient, bundles: object[]): Promise<void> {
  let next = 0;
  const sender = async (): Promise<void> => {
    while (next < bundles.length) {
      const reply = await client.request('POST', '', bundles[next++]);
      if (reply.status !== 200) {
        throw new Error(`a Bundle failed: ${describeFailure(reply)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, sender));
}

/** One thread's CPU time in seconds (Linux /proc/[pid]/task/[tid]/stat: utime and stime, in clock ticks of 1/100 s). */
function threadCpuSeconds(pid: number, tid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

const round = (value: number): number => Math.round(value * 100) / 100;

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
