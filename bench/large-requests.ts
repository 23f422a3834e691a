// What the largest requests the server accepts need of the server thread's heap (docs/performance.md,
// "Memory"): each request alone, on a server started with V8's GC trace and, optionally, a cap on the old
// generation. `node dist/bench/large-requests.js [--caps none,default,384] [--only transaction,search]`:
// none is no limit (FHIR_HEAP_MB=0), default the server's own, a number a limit in MiB. Per request and
// limit: the status, the heap at the largest collection (before it: the peak V8 let the heap reach;
// after a full one: what was live), and the process's peak RSS.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { BundleEntry } from '@medplum/fhirtypes';
import { FhirClient } from './fhir-client';
import { defaultSeed, putTransaction } from './generator/dataset';
import { generatedResources, largestBatch, largestTransaction, mostEntries } from './generator/large-bundles';
import { loadNetwork, loadResources } from './load-data';
import { commandLineFlags } from './options';
import { startServerProcess, type ServerProcess } from './server-process';

interface LargeRequest {
  name: string;
  /** Whether it reads the prepared store of the network and 10k resources (otherwise: the network only). */
  reads: boolean;
  send(client: FhirClient): Promise<number>;
}

async function post(client: FhirClient, body: unknown): Promise<number> {
  const reply = await client.request('POST', '', body);
  if (reply.status >= 300) {
    console.error(JSON.stringify(reply.body).slice(0, 400));
  }
  return reply.status;
}

const requests: LargeRequest[] = [
  {
    name: 'the network, one transaction of 6,216 PUTs',
    reads: false,
    // Loaded before every request: here it is the measured one.
    send: async () => 200,
  },
  {
    name: `transaction, ${mostEntries.toLocaleString('en')} POSTs of patient records with urn:uuid references, 16 MiB`,
    reads: false,
    send: (client) => post(client, largestTransaction()),
  },
  {
    name: 'two of those transactions at once',
    reads: false,
    send: async (client) => {
      const statuses = await Promise.all([post(client, largestTransaction()), post(client, largestTransaction())]);
      return Math.max(...statuses);
    },
  },
  {
    name: `transaction, ${mostEntries.toLocaleString('en')} PUTs of patient records, 11 MB (no narrative)`,
    reads: false,
    send: (client) => post(client, putTransaction(generatedResources(mostEntries))),
  },
  {
    name: `batch, ${mostEntries.toLocaleString('en')} PUTs of Patients, 16 MiB`,
    reads: false,
    send: (client) => post(client, largestBatch()),
  },
  {
    // 15 of 1 MB: a base64Binary of 4 MB, as FHIR_MAX_RESOURCE_MB allows, overflows the stack of the base
    // schema's pattern and is refused (400), which is the validator's to fix.
    name: 'transaction, 15 Binary resources of 1 MB each',
    reads: false,
    send: (client) => {
      const data = Buffer.alloc(750_000, 7).toString('base64');
      const entry: BundleEntry[] = Array.from({ length: 15 }, () => ({ resource: { resourceType: 'Binary', contentType: 'application/pdf', data }, request: { method: 'POST', url: 'Binary' } }));
      return post(client, { resourceType: 'Bundle', type: 'transaction', entry });
    },
  },
  {
    name: 'search, a page of 1,000 Observations',
    reads: true,
    send: async (client) => (await client.request('GET', 'Observation?_count=1000')).status,
  },
  {
    name: 'history, a page of 1,000 versions of the whole system',
    reads: true,
    send: async (client) => (await client.request('GET', '_history?_count=1000')).status,
  },
];

interface GcFigures {
  /** Largest heap at the start of a collection of the server's thread, MB. */
  peakBeforeGc: number;
  /** Largest heap after a full (mark-compact) collection of the server's thread, MB. */
  peakLiveAfterFullGc: number;
}

/**
 * Reads V8's --trace-gc lines ("[pid:0xISOLATE] 1234 ms: Mark-Compact 245.1 (260.3) -> 180.2 (199.9) MB"):
 * the server's thread is the isolate that collects first, at start-up, before any worker exists.
 */
function watchGc(server: ServerProcess): { reset(): void; figures(): GcFigures } {
  let mainIsolate: string | undefined;
  let figures: GcFigures = { peakBeforeGc: 0, peakLiveAfterFullGc: 0 };
  let buffered = '';
  server.child.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      const match = /^\[\d+:(0x[0-9a-f]+)\]\s+\d+ ms: (\S+(?: \S+)?) ([\d.]+) \([\d.]+\) -> ([\d.]+)/.exec(line);
      if (!match) {
        continue;
      }
      mainIsolate ??= match[1];
      if (match[1] !== mainIsolate) {
        continue;
      }
      figures.peakBeforeGc = Math.max(figures.peakBeforeGc, Number(match[3]));
      if (match[2].startsWith('Mark')) {
        figures.peakLiveAfterFullGc = Math.max(figures.peakLiveAfterFullGc, Number(match[4]));
      }
    }
  });
  return { reset: () => (figures = { peakBeforeGc: 0, peakLiveAfterFullGc: 0 }), figures: () => figures };
}

/** 'none': no limit (FHIR_HEAP_MB=0); 'default': the server's own (FHIR_HEAP_MB's default); or MiB. */
type Cap = 'none' | 'default' | number;

async function startServer(dataDir: string, cap: Cap): Promise<ServerProcess> {
  const flags = [`-r ${path.join(__dirname, 'gc-trace.js')}`, ...(typeof cap === 'number' ? [`--max-old-space-size=${cap}`] : [])].join(' ');
  return startServerProcess({ FHIR_DATA_DIR: dataDir, FHIR_SEED: 'off', NODE_OPTIONS: flags, ...(cap === 'none' ? { FHIR_HEAP_MB: '0' } : {}) }, 120_000);
}

/** The store of the network and 10,000 generated resources, which the read requests page through. */
async function prepareReadStore(): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-large-read-'));
  const server = await startServer(dir, 'none');
  const client = new FhirClient(server.baseUrl, server.headers.Authorization?.replace(/^Bearer /, ''));
  await loadNetwork(client, true, () => undefined);
  await loadResources(client, 0, 10_000, defaultSeed, true, () => undefined);
  await client.close();
  await server.stop();
  return dir;
}

async function measure(request: LargeRequest, cap: Cap, readStore: string | undefined): Promise<string> {
  const dir = request.reads ? (readStore as string) : fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-large-'));
  const server = await startServer(dir, cap);
  const gc = watchGc(server);
  const client = new FhirClient(server.baseUrl, server.headers.Authorization?.replace(/^Bearer /, ''), 2);
  let status: string;
  try {
    let started = performance.now();
    if (!request.reads) {
      gc.reset();
      await loadNetwork(client, true, () => undefined);
    }
    // The network's figures are its load's; every other request's are its own.
    if (request.send !== requests[0].send) {
      gc.reset();
      started = performance.now();
    }
    status = `${await request.send(client)} in ${((performance.now() - started) / 1000).toFixed(1)} s`;
  } catch (err) {
    status = `failed: ${(err as Error).message.slice(0, 80)}${server.child.exitCode !== null ? ` (server exited ${server.child.exitCode})` : ''}`;
  }
  const { peakBeforeGc, peakLiveAfterFullGc } = gc.figures();
  const rss = server.peakRssBytes();
  await client.close().catch(() => undefined);
  if (server.child.exitCode === null) {
    await server.stop();
  }
  if (!request.reads) {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return `| ${request.name} | ${cap} | ${status} | ${peakBeforeGc.toFixed(0)} | ${peakLiveAfterFullGc.toFixed(0)} | ${rss === undefined ? '' : (rss / 2 ** 20).toFixed(0)} |`;
}

async function main(): Promise<void> {
  let caps: Cap[] = ['none'];
  let only: string[] | undefined;
  for (const { flag, value } of commandLineFlags(process.argv.slice(2), 'large-requests [--caps none,default,384] [--only words]')) {
    if (flag === '--caps') {
      caps = value().split(',').map((c) => (c === 'none' || c === 'default' ? c : Number(c)));
    } else if (flag === '--only') {
      only = value().toLowerCase().split(',');
    } else {
      throw new Error(`Unknown option '${flag}'`);
    }
  }
  const chosen = requests.filter((r) => !only || only.some((word) => r.name.toLowerCase().includes(word)));
  const readStore = chosen.some((r) => r.reads) ? await prepareReadStore() : undefined;
  console.log('| request | old-space cap MiB | status | server thread heap before its largest GC, MB | after its largest full GC, MB | peak RSS MiB |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const request of chosen) {
    for (const cap of caps) {
      console.log(await measure(request, cap, readStore));
    }
  }
  if (readStore) {
    fs.rmSync(readStore, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
