// Workload 2: transaction Bundles of patients' data, POSTed with urn:uuid references as an HIS sends
// them; reported in resources per second. Two shapes: 100 and 1,000 entries at 2 in flight (large
// uploads), and issue 21's "74-entry Bundles, 8 in flight": one whole patient record per Bundle (74
// entries on average), eight Bundles at a time, as a feed of patients' records arrives.
import type { Resource } from '@medplum/fhirtypes';
import { describeFailure } from '../fhir-client';
import { postTransaction } from '../generator/dataset';
import { patientRecord } from '../generator/patient-records';
import type { Workload } from './workload';

/** Patients far beyond any loaded size, so ingested bundles never collide with loaded ids. */
const firstIngestPatient = 50_000_000;

/** The resources of each Bundle of a workload's pool, from patient `first` on. */
type Pool = (first: number, seed: number) => Resource[][];

function ingest(name: string, connections: number, first: number, pool: Pool): Workload {
  return {
    name,
    group: 'ingest',
    connections,
    writes: true,
    async prepare({ client, seed }) {
      // A pool of distinct bundles, cycled; POSTs create new resources every time (the patients
      // themselves once: their entries are conditional creates).
      const contents = pool(first, seed);
      const bundles = contents.map((resources, b) => JSON.stringify(postTransaction(resources, `${name}-${b}`)));
      const sent = contents.reduce((sum, resources) => sum + resources.length, 0);
      const probe = await client.request('POST', '', JSON.parse(bundles[0]));
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      let i = 0;
      return {
        nextRequest: () => ({ method: 'POST', path: '', body: bundles[i++ % bundles.length] }),
        resourcesPerRequest: sent / bundles.length,
      };
    },
  };
}

/**
 * Four Bundles of whole records of consecutive patients, each holding at least `entries` resources:
 * a record's resources refer to each other, and a reference to one left out would point at nothing.
 */
function ofAtLeast(entries: number): Pool {
  return (first, seed) => {
    let patient = first;
    return Array.from({ length: 4 }, () => {
      const resources: Resource[] = [];
      while (resources.length < entries) {
        resources.push(...patientRecord(patient++, seed));
      }
      return resources;
    });
  };
}

/**
 * One patient's record per Bundle (the generator's records hold 36 to 105 resources): records in order,
 * from 32 Bundles on, until the pool's mean rounds to 74 entries.
 */
const onePatientEach: Pool = (first, seed) => {
  const pool: Resource[][] = [];
  let total = 0;
  do {
    const record = patientRecord(first + pool.length, seed);
    pool.push(record);
    total += record.length;
  } while (pool.length < 32 || (Math.round(total / pool.length) !== 74 && pool.length < 400));
  return pool;
};

export const ingestWorkloads: Workload[] = [
  ingest('transaction 100 entries', 2, firstIngestPatient + 1_000, ofAtLeast(100)),
  ingest('transaction 1000 entries', 2, firstIngestPatient + 10_000, ofAtLeast(1000)),
  ingest('transaction 74 entries (a patient each), 8 in flight', 8, firstIngestPatient + 100_000, onePatientEach),
];
