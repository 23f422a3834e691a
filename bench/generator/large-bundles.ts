// The largest Bundles the server accepts by default (FHIR_MAX_BODY_MB 16, FHIR_BUNDLE_MAX_ENTRIES
// 10,000), built from the generator's patient records: what the server thread's heap limit must fit
// (docs/performance.md, "Memory"; bench/large-requests.ts, test/heap-limit.test.ts).
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { defaultSeed, postTransaction, putTransaction, resourcesUntil } from './dataset';

export const largestBodyBytes = 16 * 1024 * 1024;
export const mostEntries = 10_000;

/** The first `count` resources of the generated patient records (they refer to the network's). */
export function generatedResources(count: number): Resource[] {
  const resources: Resource[] = [];
  const records = resourcesUntil(0, count, defaultSeed);
  for (let next = records.next(); !next.done; next = records.next()) {
    resources.push(...next.value);
  }
  return resources.slice(0, count);
}

/** The Patients of the first `count` records: a batch whose entries do not refer to each other. */
export function generatedPatients(count: number): Resource[] {
  const found: Resource[] = [];
  const records = resourcesUntil(0, Number.MAX_SAFE_INTEGER, defaultSeed);
  while (found.length < count) {
    const record = records.next().value as Resource[];
    found.push(record.find((r) => r.resourceType === 'Patient') as Resource);
  }
  return found;
}

/** Gives each entry's resource a narrative of the same length, so that the Bundle's JSON is just under `bytes`. */
export function padTo(bundle: Bundle, bytes = largestBodyBytes): Bundle {
  const entries = bundle.entry ?? [];
  const size = Buffer.byteLength(JSON.stringify(bundle));
  const open = '<div xmlns="http://www.w3.org/1999/xhtml">';
  // Each narrative adds its div and about 50 bytes of JSON around it; 64 KiB of margin for the rest.
  const perEntry = Math.floor((bytes - 65_536 - size) / entries.length) - open.length - 56;
  const sentence = 'Record text. ';
  for (const entry of entries) {
    const resource = entry.resource as Resource & { text?: unknown };
    resource.text = { status: 'generated', div: `${open}${sentence.repeat(Math.floor(perEntry / sentence.length))}</div>` };
  }
  return bundle;
}

/** 10,000 POSTs of patient records with urn:uuid references, 16 MiB: the largest transaction accepted. */
export function largestTransaction(): Bundle {
  return padTo(postTransaction(generatedResources(mostEntries), 'largest'));
}

/** 10,000 PUTs of Patients, 16 MiB: the largest batch accepted. */
export function largestBatch(): Bundle {
  return padTo({ ...putTransaction(generatedPatients(mostEntries)), type: 'batch' });
}
