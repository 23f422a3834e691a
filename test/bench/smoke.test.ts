// A tiny benchmark run: proves that every workload runs, against our own server and through --target
// against a second instance. Timings are never asserted here.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseBenchOptions, UsageError } from '../../bench/options';
import type { BenchResults } from '../../bench/results';
import { runBenchmark, writeResults } from '../../bench/run';
import { startServerProcess } from '../../bench/server-process';
import { scratchDir } from '../helpers/scratch-dir';

const workloadNames = [
  'read Patient by id (c=1)',
  'read Patient by id (c=16)',
  'vread Observation (c=16)',
  "read a clinic's records as the clinic's clinician (c=16)",
  "search a patient's Observations as an administrator (c=16)",
  'search token (Observation?code)',
  'history of a resource with 100 versions',
  'system history page (_count=50)',
  'create Observation (c=1)',
  'create Observation (c=16)',
  'create profiled Observation (dhc-blood-pressure) (c=16)',
  '$dispatch home-care order (c=1)',
  'transaction 100 entries',
  'transaction 1000 entries',
  '$expand with a text filter (10,000 concepts)',
  'MedicationRequest/$review of a 7-day prescription',
];

function checkResults(results: BenchResults): void {
  assert.equal(results.sizes.length, 1);
  const size = results.sizes[0];
  assert.ok(size.storedResources >= 300, `stored ${size.storedResources}`);
  const names = size.workloads.map((w) => w.name);
  for (const name of workloadNames) {
    assert.ok(names.includes(name), name);
  }
  for (const w of size.workloads) {
    if (w.supported) {
      assert.equal(w.runs?.length, 2, w.name);
      assert.ok(w.runs!.every((r) => r.requests > 0), `${w.name} made requests`);
      assert.equal(w.failures, 0, `${w.name}: ${w.runs?.find((r) => r.firstFailure)?.firstFailure}`);
    } else {
      assert.ok(w.reason && w.reason.length > 0, `${w.name} says why it is unsupported`);
    }
  }
  for (const always of ['read Patient by id (c=16)', "read a clinic's records as the clinic's clinician (c=16)", 'create Observation (c=16)', 'system history page (_count=50)', 'MedicationRequest/$review of a 7-day prescription']) {
    assert.ok(size.workloads.find((w) => w.name === always)?.supported, `${always} is supported`);
  }
  assert.ok(results.validationInProcess.every((v) => v.perSecond.every((n) => n > 0)));
  assert.ok(results.rawSqlite && results.rawSqlite.lookupsPerSecond > 0);
  checkSearchMix(results);
}

/** The search mix runs at 1 and 16 clients with every kind of query, each reported on its own. */
function checkSearchMix(results: BenchResults): void {
  for (const connections of [1, 16]) {
    const mix = results.sizes[0].workloads.find((w) => w.name === `search-mix, 30 kinds (c=${connections})`);
    assert.ok(mix?.supported, `search mix at ${connections}: ${mix?.reason}`);
    // A smoke run's few patients give no sort a second page: only those kinds may be left out, saying why.
    const left = mix.unsupportedKinds ?? [];
    assert.ok(left.every((k) => k.kind.startsWith('sort, page 2') && k.reason), JSON.stringify(left));
    assert.equal((mix.kinds?.length ?? 0) + left.length, 30);
    assert.ok(mix.kinds!.every((k) => k.requests > 0 && k.p50Ms.median > 0), 'every measured kind has requests and latencies');
    assert.ok(mix.kinds!.some((k) => k.kind === 'capabilities: GET /metadata'));
  }
}

describe('benchmark smoke run', function () {
  this.timeout(120_000);
  const outDir = scratchDir('bench-out-', 'test');

  it('runs every workload against a server it starts, and writes JSON, markdown and SVG', async () => {
    const results = await runBenchmark(parseBenchOptions(['--smoke', '--quiet'], outDir()));
    checkResults(results);
    assert.equal(results.target.ownServer, true);
    assert.ok(results.sizes[0].serverPeakRssMiB! > 0);
    assert.ok(results.sizes[0].storeDiskMiB! > 0);
    // The server's CPU is measured for a server the benchmark started (and only for it, below).
    assert.ok(results.sizes[0].workloads.filter((w) => w.supported).every((w) => w.serverCpuPercent!.median > 0));
    const stem = writeResults(results, outDir());
    assert.equal(JSON.parse(fs.readFileSync(`${stem}.json`, 'utf8')).sizes.length, 1);
    assert.match(fs.readFileSync(`${stem}.md`, 'utf8'), /\| read Patient by id \(c=16\) \| 16 \|/);
    assert.match(fs.readFileSync(`${stem}.svg`, 'utf8'), /^<svg /);
  });

  it('measures another server the same way with --target', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-target-'));
    const other = await startServerProcess({ FHIR_DATA_DIR: dir });
    try {
      const token = other.headers.Authorization.replace(/^Bearer /, '');
      // A 1M-resource run lasts far more than the hour a normal access token does.
      const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as { iat: number; exp: number };
      assert.ok(claims.exp - claims.iat >= 12 * 3600, `the benchmark's token lasts ${claims.exp - claims.iat} s`);
      const results = await runBenchmark(parseBenchOptions(['--smoke', '--quiet', '--target', other.baseUrl, '--token', token], outDir()));
      checkResults(results);
      assert.equal(results.target.ownServer, false);
      assert.equal(results.target.url, other.baseUrl);
      assert.equal(results.sizes[0].serverPeakRssMiB, undefined);
      assert.ok(results.sizes[0].workloads.every((w) => w.serverCpuPercent === undefined));
    } finally {
      await other.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps a store given with --store and goes on from the patients it holds', async function () {
    // Three runs, each starting a server and ending with the in-process measures.
    this.timeout(300_000);
    const store = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-store-'));
    try {
      const args = ['--smoke', '--quiet', '--only', 'read patient', '--store', store];
      const first = await runBenchmark(parseBenchOptions(args, outDir()));
      assert.ok(first.sizes[0].load.resources >= 300, `first load ${first.sizes[0].load.resources}`);
      assert.ok(fs.existsSync(path.join(store, 'fhir.sqlite')), 'the store is kept');
      assert.equal(first.settings.store, store);
      // The same size again: the store already holds it, so nothing is loaded and the reads find the patients.
      const again = await runBenchmark(parseBenchOptions(args, outDir()));
      assert.equal(again.sizes[0].load.resources, 0);
      assert.equal(again.sizes[0].storedResources, first.sizes[0].storedResources);
      const reads = again.sizes[0].workloads.filter((w) => w.name.startsWith('read Patient'));
      assert.ok(reads.length > 0 && reads.every((w) => w.supported && w.failures === 0), JSON.stringify(reads.map((w) => w.name)));
      // A larger size loads only the patients after those already stored.
      const more = await runBenchmark(parseBenchOptions([...args, '--sizes', '600'], outDir()));
      assert.ok(more.sizes[0].load.resources > 0 && more.sizes[0].load.resources < 600, `second load ${more.sizes[0].load.resources}`);
      assert.ok(more.sizes[0].storedResources >= 600);
    } finally {
      fs.rmSync(store, { recursive: true, force: true });
    }
  });
});

describe('benchmark options', () => {
  it('reads sizes with k and M, and the other flags', () => {
    const o = parseBenchOptions(['--sizes', '1M,10k,100k', '--runs', '5', '--duration', '2', '--target', 'http://x/fhir/', '--token', 't'], '/out');
    assert.deepEqual(o.sizes, [10_000, 100_000, 1_000_000]);
    assert.equal(o.runs, 5);
    assert.equal(o.durationMs, 2000);
    assert.equal(o.target, 'http://x/fhir');
    assert.equal(o.token, 't');
    assert.equal(o.only, undefined);
    assert.deepEqual(parseBenchOptions(['--only', 'Transaction, create'], '/out').only, ['transaction', 'create']);
  });

  it('reads --store and refuses it with --target', () => {
    assert.equal(parseBenchOptions(['--store', '/tmp/kept'], '/out').store, '/tmp/kept');
    assert.throws(() => parseBenchOptions(['--store', '/tmp/kept', '--target', 'http://x/fhir'], '/out'), (e: unknown) => e instanceof UsageError && /--store/.test(e.message));
  });

  it('refuses unknown flags and bad sizes with a usage message', () => {
    assert.throws(() => parseBenchOptions(['--fast'], '/out'), (e: unknown) => e instanceof UsageError && /Usage/.test(e.message));
    assert.throws(() => parseBenchOptions(['--sizes', 'lots'], '/out'), UsageError);
  });
});
