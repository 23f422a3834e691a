// `npm run generate`: the network and N generated patients as transaction Bundles of 1,000 PUTs, written
// to files, sent to a running server, or loaded into the embedded store through the in-process FHIR core.
// Progress and the time left go to stderr.
import { workflowRules } from '../server/workflows/workflow-rules';
import type { Bundle, Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { commandLineFlags, UsageError } from '../bench/options';
import { Progress, formatSeconds } from '../bench/progress';
import { loadConfig } from '../server/config';
import { loadShippedContent } from '../server/content/shipped-content';
import { createFhirCore } from '../server/fhir-core';
import { loadResourceDefinitions } from '../server/fhir/resource-definitions';
import { SearchParameterRegistry } from '../server/search/indexing/registry';
import { loadNetworkSearchParameters } from '../server/search/network-search-parameters';
import { createResourceIndexer } from '../server/search/indexing/resource-indexer';
import { serverCaller } from '../server/fhir/pipeline/caller';
import { withWriteRules } from '../server/fhir/pipeline/write-step';
import { integrityRules, uniqueIdentifiersRule } from '../server/integrity/integrity-rules';
import { openStore } from '../server/store/open-store';
import type { ResourceStore } from '../server/store/port';
import { loadBaseSchema } from '../server/validation/base-schema';
import { inTransactions } from './bundles';
import { coreSink, httpSink, seedResources, storeSink, type BundleSink } from './load';

const usage = `Usage: npm run generate -- --patients N [--seed S] (--out DIR | --target URL | --load [--checked]) [--from DIR]
  --patients N   generated patients (about 69 resources each), besides the network's ~6,200 resources
  --seed S       the generator's seed value (default 20261123): the same value gives the same data
  --out DIR      write the transaction Bundles to DIR/bundle-00001.json, ...
  --target URL   send them to the running FHIR server at URL
  --token T      with --target: the bearer token to send (npm run --silent admin -- token admin)
  --load         load them into the embedded store the server would open (FHIR_DB, FHIR_DATA_DIR), in
                 bulk through the store (indexed like any write, not validated again); stop the server first
  --checked      with --load: through the server's own FHIR core instead, validated like a client's writes
  --from DIR     with --target or --load: send the Bundles of DIR (written by --out) instead of generating`;

export interface GenerateOptions {
  patients: number;
  seed: number;
  out?: string;
  target?: string;
  /** With --target: the bearer token sent. */
  token?: string;
  load: boolean;
  /** --load through the FHIR core (validated) rather than the store port. */
  checked?: boolean;
  from?: string;
}

export function parseGenerateOptions(argv: string[]): GenerateOptions {
  const options: GenerateOptions = { patients: 0, seed: 20261123, load: false };
  for (const { flag, value } of commandLineFlags(argv, usage)) {
    const count = (): number => {
      const n = Number(value());
      if (!Number.isInteger(n) || n < 0) {
        throw new UsageError(`${flag} takes a whole number\n${usage}`);
      }
      return n;
    };
    switch (flag) {
      case '--patients':
        options.patients = count();
        break;
      case '--seed':
        options.seed = count();
        break;
      case '--out':
        options.out = value();
        break;
      case '--target':
        options.target = value();
        break;
      case '--token':
        options.token = value();
        break;
      case '--load':
        options.load = true;
        break;
      case '--from':
        options.from = value();
        break;
      case '--checked':
        options.checked = true;
        break;
      default:
        throw new UsageError(`unknown option ${flag}\n${usage}`);
    }
  }
  const destinations = [options.out, options.target, options.load ? 'load' : undefined].filter((d) => d !== undefined);
  if (destinations.length !== 1) {
    throw new UsageError(`choose one of --out, --target and --load\n${usage}`);
  }
  if (options.checked && !options.load) {
    throw new UsageError(`--checked goes with --load\n${usage}`);
  }
  if (options.from && options.out) {
    throw new UsageError(`--from goes with --target or --load\n${usage}`);
  }
  return options;
}

/** The Bundle files of a directory written by --out, in order. */
export function bundleFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => /^bundle-\d+\.json$/.test(f))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The generated resource lists (the network, each patient, the marker), with progress by patient. */
function generatedLists(options: GenerateOptions, verb: string, log: (line: string) => void): Iterable<Resource[]> {
  const progress = new Progress(`${verb} ${options.patients.toLocaleString('en')} patients`, options.patients + 2, log);
  return (function* () {
    let done = 0;
    for (const list of seedResources(options.patients, options.seed)) {
      yield list;
      progress.update(++done);
    }
  })();
}

/** Writes the Bundles to files; answers the number of resources. */
export function writeBundles(options: GenerateOptions, dir: string, log: (line: string) => void): number {
  fs.mkdirSync(dir, { recursive: true });
  let resources = 0;
  let files = 0;
  const counted = generatedLists(options, 'generating', log);
  for (const bundle of inTransactions(counted)) {
    files++;
    resources += bundle.entry!.length;
    fs.writeFileSync(path.join(dir, `bundle-${String(files).padStart(5, '0')}.json`), JSON.stringify(bundle));
  }
  return resources;
}

/** Sends Bundles (generated, or read from files) to a sink; answers the number of resources. */
export async function sendBundles(options: GenerateOptions, send: BundleSink, log: (line: string) => void): Promise<number> {
  let resources = 0;
  if (options.from) {
    const files = bundleFiles(options.from);
    const progress = new Progress(`loading ${files.length.toLocaleString('en')} Bundles`, files.length, log);
    for (const [i, file] of files.entries()) {
      resources += await send(JSON.parse(fs.readFileSync(file, 'utf8')) as Bundle);
      progress.update(i + 1);
    }
    return resources;
  }
  const counted = generatedLists(options, 'loading', log);
  for (const bundle of inTransactions(counted)) {
    resources += await send(bundle);
  }
  return resources;
}

/** The embedded store the server would open, with the terminology and profiles loaded as at start-up. */
async function openEmbeddedStore(checked: boolean): Promise<{ store: ResourceStore; send: BundleSink }> {
  const config = loadConfig();
  loadResourceDefinitions();
  loadBaseSchema();
  const uniqueParameters = !config.rulesOff.has(uniqueIdentifiersRule);
  const registry = new SearchParameterRegistry(loadNetworkSearchParameters(config.profilesDir), { uniqueParameters });
  const store = await openStore(config, createResourceIndexer(registry));
  const { ownership } = await loadShippedContent(store, config);
  const logger = pino({ level: 'silent' });
  const baseUrl = config.baseUrl ?? 'http://localhost';
  // The integrity rules hold on both paths: in bulk they run in each Bundle's store transaction.
  const writeRules = [...integrityRules({ baseUrl, ownership, off: config.rulesOff }), ...workflowRules];
  const core = createFhirCore({ config: { ...config, baseUrl }, store, registry, pipeline: { writeRules } });
  const target = config.store === 'mongo' ? `MongoDB database ${config.mongoDatabase}` : config.sqliteFile;
  process.stderr.write(`loading into ${target} ${checked ? 'through the FHIR core (validated)' : 'in bulk through the store'}\n`);
  const ruled = withWriteRules(store, { rules: writeRules, caller: serverCaller, interaction: { code: 'transaction' } });
  return { store, send: checked ? coreSink(core, logger) : storeSink(ruled) };
}

async function main(): Promise<void> {
  let options: GenerateOptions;
  try {
    options = parseGenerateOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = (line: string): void => {
    process.stderr.write(line);
  };
  const started = performance.now();
  let resources: number;
  if (options.out) {
    resources = writeBundles(options, options.out, log);
  } else if (options.target) {
    resources = await sendBundles(options, httpSink(options.target, options.token), log);
  } else {
    const { store, send } = await openEmbeddedStore(options.checked ?? false);
    try {
      const load = async (): Promise<number> => {
        const written = await sendBundles(options, send, log);
        if (!options.checked && store.bulkLoad) {
          log('building the search indexes once, now that the resources are in\n');
        }
        return written;
      };
      // In bulk the store may build its search indexes once at the end; a checked load is a client's writes.
      resources = !options.checked && store.bulkLoad ? await store.bulkLoad(load) : await load();
    } finally {
      await store.close();
    }
  }
  const seconds = (performance.now() - started) / 1000;
  process.stderr.write(
    `${resources.toLocaleString('en')} resources in ${formatSeconds(seconds)} (${Math.round(resources / seconds).toLocaleString('en')}/s)\n`
  );
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
