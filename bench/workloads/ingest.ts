// Workload 2: transaction Bundles of 100 and 1,000 entries of patients' follow-up data, POSTed with
// urn:uuid references as an HIS sends them; reported in resources per second.
import type { Resource } from '@medplum/fhirtypes';
import { describeFailure } from '../fhir-client';
import { postTransaction } from '../generator/dataset';
import { patientRecord } from '../generator/patient-records';
import type { Workload } from './workload';

/** Patients far beyond any loaded size, so ingested bundles never collide with loaded ids. */
const firstIngestPatient = 50_000_000;

function ingest(entries: number): Workload {
  return {
    name: `transaction ${entries} entries`,
    group: 'ingest',
    connections: 2,
    writes: true,
    async prepare({ client, seed }) {
      // A pool of distinct bundles, cycled; POSTs create new resources every time (the patients
      // themselves once). Whole patient records only: a record's resources refer to each other, and a
      // reference to one left out would point at nothing.
      const bundles: string[] = [];
      let sent = 0;
      let patient = firstIngestPatient + entries * 10;
      for (let b = 0; b < 4; b++) {
        const resources: Resource[] = [];
        while (resources.length < entries) {
          resources.push(...patientRecord(patient++, seed));
        }
        sent += resources.length;
        bundles.push(JSON.stringify(postTransaction(resources, `ingest-${entries}-${b}`)));
      }
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

export const ingestWorkloads: Workload[] = [ingest(100), ingest(1000)];
