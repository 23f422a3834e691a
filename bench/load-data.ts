// Loads the generated data set into the server under test: as transaction Bundles of PUTs where the
// server takes them, otherwise as single PUTs with 16 in flight. Both keep the generator's ids.
import type { Resource } from '@medplum/fhirtypes';
import { describeFailure, type FhirClient } from './fhir-client';
import { putTransaction, resourcesUntil } from './generator/dataset';
import { patientId } from './generator/patient-records';
import { Progress } from './progress';
import { networkDirectory } from '../seed/network/directory';
import { networkResources } from '../seed/network/resources';

export interface LoadResult {
  resources: number;
  seconds: number;
  method: 'transaction' | 'put';
  /** Index of the next patient not yet loaded. */
  nextPatient: number;
}

const bundleSize = 500;
const concurrency = 16;

export async function supportsTransactions(client: FhirClient): Promise<boolean> {
  const reply = await client.request('POST', '', putTransaction([]));
  return reply.status === 200;
}

/**
 * The network's structure (organizations, staff, teams), which the patients refer to: one transaction
 * (its teams and their members' roles refer to each other), or single PUTs in order without transactions.
 */
export async function loadNetwork(client: FhirClient, useTransactions: boolean, log: (line: string) => void): Promise<number> {
  const resources = networkResources(networkDirectory());
  log(`loading the network's ${resources.length.toLocaleString('en')} resources`);
  const replies = useTransactions
    ? [await client.request('POST', '', putTransaction(resources))]
    : await sequential(resources.map((r) => () => client.request('PUT', `${r.resourceType}/${r.id}`, r)));
  const failed = replies.find((reply) => reply.status >= 300);
  if (failed) {
    throw new Error(`Loading the network failed (${describeFailure(failed)}); is the target a writable FHIR R4 server?`);
  }
  return resources.length;
}

/**
 * How many generated patients a store already holds. A load stores whole records of patients 0, 1, 2...
 * (the ids `pat-N`), so the first missing one is found by doubling, then halving: about 2 log2(n) reads.
 */
export async function loadedPatients(client: FhirClient): Promise<number> {
  const stored = async (index: number): Promise<boolean> => {
    const reply = await client.request('GET', `Patient/${patientId(index)}`);
    if (reply.status !== 200 && reply.status !== 404 && reply.status !== 410) {
      throw new Error(`Reading Patient/${patientId(index)} answered ${describeFailure(reply)}; is the store one the benchmark loaded?`);
    }
    return reply.status === 200;
  };
  if (!(await stored(0))) {
    return 0;
  }
  // stored(low) and not stored(high), once high is found.
  let low = 0;
  let high = 1;
  while (await stored(high)) {
    low = high;
    high *= 2;
  }
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (await stored(middle)) {
      low = middle;
    } else {
      high = middle;
    }
  }
  return high;
}

async function sequential<T>(steps: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  for (const step of steps) {
    results.push(await step());
  }
  return results;
}

export async function loadResources(
  client: FhirClient,
  fromPatient: number,
  count: number,
  seed: number,
  useTransactions: boolean,
  log: (line: string) => void
): Promise<LoadResult> {
  const progress = new Progress(`loading ${count.toLocaleString('en')} resources`, count, (line) => log(line.trimEnd()));
  const started = performance.now();
  const generator = resourcesUntil(fromPatient, count, seed);
  let nextPatient = fromPatient;
  let loaded = 0;
  const pending: Resource[] = [];
  const unitSize = useTransactions ? bundleSize : 1;
  let exhausted = false;

  // Pulls the next unit of work from the generator: whole patients up to a bundle's worth (a record's
  // resources refer to each other, and each reference must resolve when its transaction commits), or
  // one resource at a time without transactions.
  const take = (): Resource[] | undefined => {
    while (pending.length < unitSize && !exhausted) {
      const next = generator.next();
      if (next.done) {
        exhausted = true;
        nextPatient = next.value;
      } else {
        pending.push(...next.value);
      }
    }
    return pending.length ? pending.splice(0, useTransactions ? pending.length : 1) : undefined;
  };

  const worker = async (): Promise<void> => {
    for (let unit = take(); unit; unit = take()) {
      const reply = useTransactions
        ? await client.request('POST', '', putTransaction(unit))
        : await client.request('PUT', `${unit[0].resourceType}/${unit[0].id}`, unit[0]);
      if (reply.status >= 300) {
        throw new Error(`Loading failed (${describeFailure(reply)}); is the target a writable FHIR R4 server?`);
      }
      loaded += unit.length;
      progress.update(loaded);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return {
    resources: loaded,
    seconds: (performance.now() - started) / 1000,
    method: useTransactions ? 'transaction' : 'put',
    nextPatient,
  };
}
