// Runs the real server (dist/server/main.js) as a child process: the benchmark's server under test,
// and the tests of what only separate processes show (two writers on one file, SIGKILL durability).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /** Peak resident memory so far in bytes (Linux VmHWM), or undefined where /proc is not available. */
  peakRssBytes(): number | undefined;
  /** Resident memory now in bytes (Linux VmRSS), or undefined where /proc is not available. */
  rssBytes(): number | undefined;
  /** Sends SIGKILL: no graceful shutdown, no chance to flush. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const mainScript = path.resolve(__dirname, '../server/main.js');

/** Starts the server and waits until it listens; `timeoutMs` is longer when it loads its seed first. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 15_000): Promise<ServerProcess> {
  const child = spawn(process.execPath, [mainScript], {
    env: { ...process.env, PORT: '0', LOG_LEVEL: 'info', FHIR_SEED: 'off', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error(`server did not start in time: ${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number };
        if (entry.msg === 'FHIR server listening' && entry.port) {
          clearTimeout(timer);
          resolve(entry.port);
        }
      } catch {
        // not a log line
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before listening: ${stderr}`));
    });
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    peakRssBytes: () => readStatusBytes(child.pid, 'VmHWM'),
    rssBytes: () => readStatusBytes(child.pid, 'VmRSS'),
    kill: async () => {
      child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

function readStatusBytes(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1];
    return kib ? Number(kib) * 1024 : undefined;
  } catch {
    return undefined;
  }
}
