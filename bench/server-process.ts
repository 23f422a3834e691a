// Runs the real server (dist/server/main.js) as a child process: the benchmark's server under test,
// and the tests of what only separate processes show (two writers on one file, SIGKILL durability).
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { AccessTokens } from '../server/auth/access-tokens';
import { SigningKeyRing } from '../server/auth/signing-keys';

/** Who a bench token is for: roles, the organizations acted for, the fhirUser. */
export interface UserGrant {
  roles: string[];
  organizations: string[];
  user?: string;
}

export interface ServerProcess {
  child: ChildProcess;
  baseUrl: string;
  /**
   * Headers every request to the server sends: an administrator's bearer token signed with the
   * server's own key file (none with FHIR_AUTH=off).
   */
  headers: Record<string, string>;
  /**
   * A user's token for this server (signed with its key file), for workloads that act as a restricted
   * caller; undefined while security is off, where every caller is anonymous.
   */
  userToken?: (grant: UserGrant) => string;
  /** The base URL the server announces (FHIR_BASE_URL, or localhost with its port): its tokens' audience. */
  announcedBaseUrl: string;
  /**
   * Peak resident memory so far in bytes (Linux VmHWM), or undefined where /proc is not available.
   * The server's read threads and audit writer are worker threads of this one process, so its RSS
   * already counts all of them; the server starts no child processes (none to add).
   */
  peakRssBytes(): number | undefined;
  /** Resident memory now in bytes (Linux VmRSS), or undefined where /proc is not available. */
  rssBytes(): number | undefined;
  /** CPU time the server has used so far in seconds, all its threads (Linux /proc), or undefined elsewhere. */
  cpuSeconds(): number | undefined;
  /** Sends SIGKILL: no graceful shutdown, no chance to flush. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

const mainScript = path.resolve(__dirname, '../server/main.js');

/** The headers of the servers this module started, by base URL. */
const serverHeaders = new Map<string, Record<string, string>>();
const plainFetch = globalThis.fetch;
/**
 * Requests to a server started here carry its administrator token unless they set Authorization
 * themselves: security is on, as `npm start` runs it, and the callers (tests, benchmark workloads)
 * speak plain fetch.
 */
globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]): ReturnType<typeof fetch> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  const base = [...serverHeaders.keys()].find((b) => url === b || url.startsWith(`${b}/`));
  if (!base) {
    return plainFetch(input, init);
  }
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  for (const [name, value] of Object.entries(serverHeaders.get(base) ?? {})) {
    if (!headers.has(name)) {
      headers.set(name, value);
    }
  }
  return plainFetch(input, { ...init, headers });
};

/** Every server started here and still running: killed when this process exits, so none outlives its caller. */
const children = new Set<ChildProcess>();
process.once('exit', () => children.forEach((child) => child.kill('SIGKILL')));

/**
 * Starts the server and waits until it listens; `timeoutMs` is longer when it loads its seed first. A start
 * takes a few seconds on an idle machine, but over 15 on two cores shared with other work (a load average
 * of 5-7 failed seven tests of a CI run that way), so the default leaves room for that.
 */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 45_000): Promise<ServerProcess> {
  // The key file and the seeded accounts' file go beside the database, never into the working directory.
  const dataDir = env.FHIR_DATA_DIR ?? (env.FHIR_DB && env.FHIR_DB !== ':memory:' ? path.dirname(env.FHIR_DB) : undefined);
  const fullEnv: Record<string, string | undefined> = { ...process.env, PORT: '0', LOG_LEVEL: 'info', FHIR_SEED: 'off', ...(dataDir ? { FHIR_DATA_DIR: dataDir } : {}), ...env };
  // As `npm start` and the Dockerfile run it: the main thread's young generation bounded (docs/performance.md, "Memory").
  const child = spawn(process.execPath, ['--max-semi-space-size=16', mainScript], {
    env: fullEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const { port, announced } = await new Promise<{ port: number; announced: string }>((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    // A server that did not start in time is killed, never left running without an owner.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start in time: ${stderr}`));
    }, timeoutMs);
    lines.on('line', (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number; baseUrl?: string };
        if (entry.msg === 'FHIR server listening' && entry.port) {
          clearTimeout(timer);
          resolve({ port: entry.port, announced: entry.baseUrl ?? `http://localhost:${entry.port}` });
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
  const secured = fullEnv.FHIR_AUTH !== 'off';
  const headers: Record<string, string> = secured ? { Authorization: `Bearer ${userToken(fullEnv, announced, { roles: ['administrator'], organizations: [] })}` } : {};
  serverHeaders.set(`http://127.0.0.1:${port}`, headers);
  return {
    child,
    baseUrl: `http://127.0.0.1:${port}`,
    headers,
    ...(secured ? { userToken: (grant: UserGrant) => userToken(fullEnv, announced, grant) } : {}),
    announcedBaseUrl: announced,
    peakRssBytes: () => readStatusBytes(child.pid, 'VmHWM'),
    rssBytes: () => readStatusBytes(child.pid, 'VmRSS'),
    cpuSeconds: () => readCpuSeconds(child.pid),
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

/**
 * How long the benchmark's own tokens last: a whole run, since a 1M-resource load alone outlasts the
 * hour an access token is normally given (a run died with 401 'jwt expired' 40 minutes into its load).
 */
const benchTokenSeconds = 24 * 3600;

/** A token the server accepts: signed with its key file, for its announced base URL (the audience). */
function userToken(env: Record<string, string | undefined>, baseUrl: string, grant: UserGrant): string {
  const keysFile = env.FHIR_AUTH_KEYS_FILE ?? path.join(env.FHIR_DATA_DIR ?? './data', 'auth-keys.json');
  const keys = SigningKeyRing.open(path.resolve(keysFile));
  return new AccessTokens(keys, undefined, baseUrl, baseUrl).issue({
    kind: 'user', clientId: 'bench', account: 'bench', roles: grant.roles, organizations: grant.organizations, scopes: ['user/*.cruds'],
    ...(grant.user ? { fhirUser: grant.user } : {}),
  }, benchTokenSeconds).token;
}

/** Clock ticks per second of /proc/<pid>/stat's times: USER_HZ, 100 on every Linux this runs on. */
const userHz = 100;

/** utime + stime of /proc/<pid>/stat (fields 14 and 15, counted after the parenthesised command name). */
export function readCpuSeconds(pid: number | undefined): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / userHz;
  } catch {
    return undefined;
  }
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
