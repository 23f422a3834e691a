// Docs that run: every curl example in README.md and docs/ states the status it expects (and what its
// body holds), and is run here with curl against a server seeded as `npm start` seeds it. Each page
// runs on its own copy of the seeded store, in the order it is written, so a page's examples may build
// on each other. Authentication: examples are written without a token; each is sent with the server's
// administrator token (docs/smart.md), as the README tells readers to; an example that sends
// `Authorization: Bearer $TOKEN` after an `export TOKEN=$(npm run --silent admin -- token <account>)`
// line gets the token the admin command prints for that account (docs/workflows.md's roles).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startServerProcess, type ServerProcess } from '../../bench/server-process';
import { containsExpected, readExamples, shellWords, type DocExample } from './docs-examples';

const run = promisify(execFile);
const repoRoot = path.resolve(__dirname, '../../..');
const documentedBase = 'http://localhost:8080';
const pages = ['README.md', ...fs.readdirSync(path.join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];

/** Arguments every example gets besides its own: the server's headers (an administrator's bearer token). */
function extraCurlArguments(server: ServerProcess): string[] {
  return Object.entries(server.headers).flatMap(([name, value]) => ['-H', `${name}: ${value}`]);
}

/** What `npm run --silent admin -- token <account>` prints for the server on `db` (run as built, without the npm build step). */
async function accountToken(server: ServerProcess, db: string, account: string): Promise<string> {
  const env = { ...process.env, FHIR_DB: db, FHIR_DATA_DIR: path.dirname(db), FHIR_BASE_URL: server.announcedBaseUrl, LOG_LEVEL: 'error' };
  const { stdout } = await run(process.execPath, [path.join(repoRoot, 'dist/server/admin.js'), 'token', account], { cwd: repoRoot, env });
  return stdout.trim();
}

/** Runs one example's curl against the server; resolves with the status and the body. */
async function runExample(example: DocExample, server: ServerProcess, scratch: string, token?: string): Promise<{ status: number; body: string }> {
  const base = server.baseUrl;
  const [program, ...args] = shellWords(example.command);
  assert.equal(program, 'curl');
  const own: string[] = [];
  let includeHeaders = false;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-o' || args[i] === '-w') {
      i++; // the test chooses where the body goes and what is written out
      continue;
    }
    if (/^-[a-zA-Z]*i[a-zA-Z]*$/.test(args[i])) {
      includeHeaders = true;
    }
    own.push(token === undefined ? args[i].replaceAll(documentedBase, base) : args[i].replaceAll(documentedBase, base).replaceAll('$TOKEN', token));
  }
  const bodyFile = path.join(scratch, 'body');
  const { stdout } = await run('curl', [...own, ...(token === undefined ? extraCurlArguments(server) : []), '-o', bodyFile, '-w', '%{http_code}'], { cwd: repoRoot });
  let body = fs.readFileSync(bodyFile, 'utf8');
  if (includeHeaders) {
    body = body.slice(body.indexOf('\r\n\r\n') + 4);
  }
  return { status: Number(stdout.trim()), body };
}

describe('docs that run: every curl example in README.md and docs/', function () {
  this.timeout(300_000);
  let dir: string;
  let seededStore: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-docs-'));
    seededStore = path.join(dir, 'seeded.sqlite');
    // The seed of `npm start`, with fewer generated patients (the examples use the network and pat-0).
    const seeding = await startServerProcess({ FHIR_DB: seededStore, FHIR_SEED: 'on', FHIR_SEED_PATIENTS: '20' }, 240_000);
    await seeding.stop();
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // The README's `export TOKEN=$(npm run --silent admin -- token admin)` keeps stdout: anything else
  // the command prints (its build step's lines) would end up in the header and the request be refused.
  it('the README\'s token command prints the token alone, its build step\'s lines elsewhere', async () => {
    const npm = process.env.npm_execpath ? [process.execPath, process.env.npm_execpath] : ['npm'];
    const env = { ...process.env, FHIR_DB: seededStore, FHIR_DATA_DIR: dir, LOG_LEVEL: 'error' };
    const { stdout } = await run(npm[0], [...npm.slice(1), 'run', '--silent', 'admin', '--', 'token', 'admin'], { cwd: repoRoot, env });
    assert.match(stdout, /^[\w-]+\.[\w-]+\.[\w-]+\n?$/, `stdout holds more than a token: ${stdout.slice(0, 80)}`);
  });

  for (const page of pages) {
    const examples = readExamples(path.join(repoRoot, page));
    if (!examples.length) {
      continue;
    }
    describe(page, () => {
      let server: ServerProcess;
      let scratch: string;
      /** Each server's store file, for the admin command's tokens. */
      const stores = new Map<ServerProcess, string>();
      /** A server on a fresh copy of the seeded store. */
      const startServer = async (env: Record<string, string> = {}): Promise<ServerProcess> => {
        const db = path.join(fs.mkdtempSync(path.join(scratch, 'store-')), 'fhir.sqlite');
        fs.copyFileSync(seededStore, db);
        const started = await startServerProcess({ ...env, FHIR_DB: db, FHIR_SEED: 'on' }, 60_000);
        stores.set(started, db);
        return started;
      };
      before(async () => {
        scratch = fs.mkdtempSync(path.join(dir, 'page-'));
        server = await startServer();
      });
      after(() => server.stop());

      for (const example of examples) {
        const label = `line ${example.line}: ${example.command.split('\n')[0].slice(0, 110)}`;
        it(label, async () => {
          // An example that needs other settings runs on a server of its own.
          const own = example.serverEnv ? await startServer(example.serverEnv) : undefined;
          const target = own ?? server;
          const token = example.tokenAccount ? await accountToken(target, stores.get(target) as string, example.tokenAccount) : undefined;
          const { status, body } = await runExample(example, target, scratch, token).finally(() => own?.stop());
          assert.ok(example.expected, `${page}:${example.line} does not state its expected status (a '# → 200' line after it); it answered ${status}: ${body.slice(0, 300)}`);
          assert.equal(status, example.expected.status, `${page}:${example.line} answered ${status}: ${body.slice(0, 600)}`);
          if (example.expected.body !== undefined) {
            const parsed = JSON.parse(body) as unknown;
            assert.ok(containsExpected(parsed, example.expected.body), `${page}:${example.line}: the body does not hold ${JSON.stringify(example.expected.body)}: ${body.slice(0, 800)}`);
          }
        });
      }
    });
  }
});
