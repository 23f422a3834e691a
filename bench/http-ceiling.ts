// `npm run bench:ceiling`: the most requests per second this machine serves over HTTP with nothing
// behind them, measured exactly as the benchmark measures our server (bench/http-load.ts, 1 and 16
// clients, the load generator in this process): a server process answering every GET with the same
// Patient's text, through express and through node:http alone. A read by id of our server cannot be
// faster than this; the ratio says how much of a read is the server's own work. Results go to
// bench/results/<date>-ceiling.json and .md, and the markdown to stdout.
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { runLoad } from './http-load';
import { describeMachine } from './machine';
import { commandLineFlags, positive, UsageError } from './options';
import { readCpuSeconds } from './server-process';
import { spread, type Spread } from './results';

interface CeilingRow {
  stack: 'express' | 'node:http';
  clients: number;
  requestsPerSecond: Spread;
  p50Ms: Spread;
  serverCpuPercent: Spread;
}

const usage = `Usage: npm run bench:ceiling -- [--runs N] [--duration S] [--out DIR]`;

async function main(): Promise<void> {
  let runs = 3;
  let durationMs = 4000;
  let outDir = path.join(__dirname, '..', '..', 'bench', 'results');
  for (const { flag, value } of commandLineFlags(process.argv.slice(2), usage)) {
    if (flag === '--runs') runs = positive(value(), flag);
    else if (flag === '--duration') durationMs = positive(value(), flag) * 1000;
    else if (flag === '--out') outDir = value();
    else throw new UsageError(`Unknown option '${flag}'\n${usage}`);
  }
  const machine = describeMachine();
  const rows: CeilingRow[] = [];
  let bodyBytes = 0;
  for (const stack of ['express', 'node:http'] as const) {
    const child = fork(path.join(__dirname, 'http-ceiling-server.js'), [], {
      env: { ...process.env, CEILING_MODE: stack === 'express' ? 'express' : 'http' },
      stdio: 'inherit',
    });
    try {
      const { port, bytes } = await new Promise<{ port: number; bytes: number }>((resolve, reject) => {
        child.once('message', (m) => resolve(m as { port: number; bytes: number }));
        child.once('exit', (code) => reject(new Error(`the ceiling server exited (${code}) before listening`)));
      });
      bodyBytes = bytes;
      for (const clients of [1, 16]) {
        const measured = [];
        for (let run = 0; run < runs; run++) {
          measured.push(
            await runLoad({
              base: `http://127.0.0.1:${port}/fhir`,
              connections: clients,
              durationMs,
              warmupMs: 1000,
              nextRequest: () => ({ method: 'GET', path: 'Patient/pat-1' }),
              serverCpuSeconds: () => readCpuSeconds(child.pid),
            })
          );
        }
        rows.push({
          stack,
          clients,
          requestsPerSecond: spread(measured.map((r) => r.requestsPerSecond)),
          p50Ms: spread(measured.map((r) => r.p50Ms)),
          serverCpuPercent: spread(measured.map((r) => r.serverCpuPercent ?? NaN)),
        });
        process.stderr.write(`${stack}, ${clients} client(s): ${Math.round(rows.at(-1)!.requestsPerSecond.median)} requests/s\n`);
      }
    } finally {
      child.kill();
    }
  }
  const date = new Date().toISOString();
  const fixed = (s: Spread, digits: number): string => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
  const markdown = [
    `# The HTTP ceiling, ${date}`,
    '',
    `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, load average at start ${machine.loadAverage.join(' ')}`,
    `A server process answering every GET with one ${bodyBytes}-byte Patient; ${runs} runs × ${durationMs / 1000} s after 1 s warm-up, median (min–max); the load generator shares the machine.`,
    '',
    '| stack | clients | requests/s | p50 ms | server CPU % |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.stack} | ${r.clients} | ${fixed(r.requestsPerSecond, 0)} | ${fixed(r.p50Ms, 3)} | ${fixed(r.serverCpuPercent, 0)} |`),
    '',
  ].join('\n');
  fs.mkdirSync(outDir, { recursive: true });
  const stem = path.join(outDir, `${date.slice(0, 16).replace(/:/g, '-')}-ceiling`);
  fs.writeFileSync(`${stem}.json`, JSON.stringify({ date, machine, runs, durationMs, bodyBytes, rows }, null, 2));
  fs.writeFileSync(`${stem}.md`, markdown);
  process.stdout.write(markdown);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(e instanceof UsageError ? 2 : 1);
});
