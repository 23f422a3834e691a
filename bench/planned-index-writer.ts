// The writer's CPU per resource for a Bundle's store writes, with the index entries extracted on the
// validating thread (search/indexing/planned-extraction.ts) and without (the writer extracts them),
// in one process, alternately: the part of the ingest harness (ingest-alternating.ts) that this change
// touches, without HTTP, the rules and a shared machine's noise in them. Each round opens a fresh store
// on a file, sends the generated patient records to the thread one record (one Bundle's entries) at a
// time, and writes each record in one transaction, as a transaction Bundle does; the thread's answer
// arriving (its structured clone read) counts on the writer too.
//   node dist/bench/planned-index-writer.js [--records 40] [--rounds 4]
import type { Resource } from '@medplum/fhirtypes';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SearchParameterRegistry } from '../server/search/indexing/registry';
import { createResourceIndexer } from '../server/search/indexing/resource-indexer';
import type { ResourceIndexer } from '../server/search/indexing/types';
import { loadNetworkSearchParameters } from '../server/search/network-search-parameters';
import { openSqliteStore } from '../server/store/adapters';
import { validatorSettings } from '../server/validation/offloaded-validation';
import { defaultValidationPolicy } from '../server/validation/resource-validator';
import { defaultSeed } from './generator/dataset';
import { patientRecord } from './generator/patient-records';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

const settings = validatorSettings('http://localhost', { ...defaultValidationPolicy, unknownProfile: 'warning' });

/** Microseconds of this thread's CPU per resource written, and how many writes took the thread's entries. */
async function round(records: Resource[][], indexer: ResourceIndexer): Promise<{ usPerResource: number; extractedOnThread: number }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-planned-index-'));
  const store = openSqliteStore({ file: path.join(dir, 'fhir.sqlite'), synchronous: 'NORMAL', indexer, readThreads: 1 });
  try {
    // The thread loads its validator first, outside the measure.
    await store.validateOffThread?.({ settings, rewrites: [], bodies: [{ resourceType: 'Patient' }] });
    let resources = 0;
    let extractedOnThread = 0;
    const before = process.threadCpuUsage();
    for (const record of records) {
      const answer = await store.validateOffThread?.({ settings, rewrites: [], bodies: record });
      await store.transaction(async (tx) => {
        for (const [i, resource] of record.entries()) {
          const index = answer?.verdicts[i]?.index;
          extractedOnThread += index ? 1 : 0;
          await tx.create(resource, { index });
        }
      });
      resources += record.length;
    }
    const used = process.threadCpuUsage(before);
    return { usPerResource: Math.round((used.user + used.system) / resources), extractedOnThread };
  } finally {
    await store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const registry = new SearchParameterRegistry(loadNetworkSearchParameters(path.resolve(__dirname, '..', '..', 'profiles')));
  const split = createResourceIndexer(registry);
  // Without `split` the store sends its thread no parameters: the thread validates only, the writer extracts.
  const whole: ResourceIndexer = (resource) => split(resource);
  const count = option('records', 40);
  const rounds = option('rounds', 4);
  const records = Array.from({ length: count }, (_, i) => patientRecord(80_000_000 + i, defaultSeed));
  for (let r = 0; r < rounds; r++) {
    for (const [name, indexer] of [['writer extracts', whole], ['thread extracts', split]] as const) {
      const figures = await round(records, indexer);
      process.stdout.write(`${JSON.stringify({ round: r + 1, mode: name, ...figures, loadAverage: Math.round(os.loadavg()[0] * 100) / 100 })}\n`);
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
