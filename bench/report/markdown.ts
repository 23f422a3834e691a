// The markdown table printed at the end of a run (and kept beside the JSON).
import type { BenchResults, Spread, WorkloadResult } from '../results';

const num = (n: number): string => (n >= 100 ? Math.round(n).toLocaleString('en') : n.toFixed(n >= 10 ? 1 : 2));
const withSpread = (s: Spread | undefined): string => (s ? `${num(s.median)} (${num(s.min)}–${num(s.max)})` : '');

export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines: string[] = [
    `# Benchmark ${results.date}`,
    '',
    `Target: ${results.target.url}${results.target.ownServer ? ` (our server, ${results.target.store} store, started by the benchmark)` : ''}` +
      `${results.target.software ? `, software: ${results.target.software}` : ''}`,
    `Machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGiB} GiB, ${m.platform}, Node ${m.node}, load average at start ${m.loadAverage.join(' ')}`,
    `Settings: ${results.settings.runs} runs × ${results.settings.durationMs / 1000} s after ${results.settings.warmupMs / 1000} s warm-up; median (min–max) over runs${results.settings.smoke ? '; SMOKE RUN: figures are not meaningful' : ''}${
      results.settings.serverEnv ? `; server settings: ${Object.entries(results.settings.serverEnv).map(([k, v]) => `${k}=${v}`).join(' ')}` : ''
    }${results.settings.store ? `; on an existing store (${results.settings.store}): only what the sizes still needed was loaded` : ''}`,
    '',
  ];
  for (const size of results.sizes) {
    lines.push(
      `## ${size.storedResources.toLocaleString('en')} stored resources`,
      '',
      `Loaded ${size.load.resources.toLocaleString('en')} resources in ${size.load.seconds.toFixed(1)} s (${num(size.load.perSecond)}/s, ${size.load.method})` +
        (size.serverPeakRssMiB ? `; server peak RSS ${num(size.serverPeakRssMiB)} MiB` : '') +
        (size.storeDiskMiB ? `; store on disk ${num(size.storeDiskMiB)} MiB` : ''),
      '',
      '| workload | clients | requests/s | resources/s | p50 ms | p95 ms | p99 ms | server CPU % |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |'
    );
    for (const w of size.workloads) {
      if (!w.supported) {
        lines.push(`| ${w.name} | ${w.connections} | not supported: ${w.reason?.replace(/\|/g, '/').slice(0, 120)} | | | | | |`);
        continue;
      }
      const perResource = w.group === 'ingest' || w.group === 'create' ? withSpread(w.resourcesPerSecond) : '';
      lines.push(
        `| ${w.name}${w.failures ? ` (${w.failures} failed)` : ''} | ${w.connections} | ${withSpread(w.requestsPerSecond)} | ${perResource} | ` +
          `${withSpread(w.p50Ms)} | ${withSpread(w.p95Ms)} | ${withSpread(w.p99Ms)} | ${withSpread(w.serverCpuPercent)} |`
      );
    }
    lines.push('', ...kindTable(size.workloads));
  }
  if (results.validationInProcess.length) {
    lines.push('## Validation in-process (one thread)', '', '| check | resource | validations/s |', '| --- | --- | --- |');
    for (const v of results.validationInProcess) {
      const s = [...v.perSecond].sort((a, b) => a - b);
      lines.push(`| ${v.kind} | ${v.resourceType} | ${num(s[Math.floor(s.length / 2)])} (${num(s[0])}–${num(s[s.length - 1])}) |`);
    }
    lines.push('');
  }
  if (results.jsonInProcess?.length) {
    lines.push('## JSON exactly as sent, in-process (one thread)', '', '| step | numbers | bytes | per second |', '| --- | --- | --- | --- |');
    for (const j of results.jsonInProcess) {
      const s = [...j.perSecond].sort((a, b) => a - b);
      lines.push(`| ${j.kind} | ${j.numbers} | ${num(j.bytes)} | ${num(s[Math.floor(s.length / 2)])} (${num(s[0])}–${num(s[s.length - 1])}) |`);
    }
    lines.push('');
  }
  const raw = results.rawSqlite;
  if (raw) {
    lines.push(
      `## Raw SQLite on this machine (synchronous=${raw.synchronous}, ${raw.rowBytes}-byte rows)`,
      '',
      `Inserts in transactions of 1,000: ${num(raw.batchedInsertsPerSecond)}/s; one insert per transaction: ${num(raw.singleInsertsPerSecond)}/s; primary-key lookups: ${num(raw.lookupsPerSecond)}/s.`,
      ''
    );
  }
  return lines.join('\n');
}

/** The mixed workloads' latencies per kind of query, one column pair per workload (its clients). */
function kindTable(workloads: WorkloadResult[]): string[] {
  const mixed = workloads.filter((w) => w.kinds?.length);
  if (!mixed.length) {
    return [];
  }
  // Measured kinds in the workload's order, then those left out.
  const kinds = [...new Set(mixed.flatMap((w) => [...(w.kinds ?? []).map((k) => k.kind), ...(w.unsupportedKinds ?? []).map((k) => k.kind)]))];
  const lines = [
    `| kind of query | ${mixed.map((w) => `p50 ms (c=${w.connections}) | p95 ms (c=${w.connections})`).join(' | ')} |`,
    `| --- | ${mixed.map(() => '--- | ---').join(' | ')} |`,
  ];
  for (const kind of kinds) {
    const cells = mixed.map((w) => {
      const k = w.kinds?.find((x) => x.kind === kind);
      const left = w.unsupportedKinds?.find((x) => x.kind === kind);
      return k ? `${withSpread(k.p50Ms)} | ${withSpread(k.p95Ms)}` : `not measured: ${left?.reason.replace(/\|/g, '/').slice(0, 80) ?? ''} | `;
    });
    lines.push(`| ${kind.replace(/\|/g, '\\|')} | ${cells.join(' | ')} |`);
  }
  return [...lines, ''];
}
