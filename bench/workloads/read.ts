// Workload 3: read by id (at 1 and 16 clients: one client shows a request's own latency, sixteen the
// read threads' throughput) and vread at 16 clients, over random patients and observations.
import { describeFailure } from '../fhir-client';
import { SeededRandom } from '../../seed/random';
import { guaranteedVisits, patientId } from '../generator/patient-records';
import { rotate, type Workload } from './workload';

function sample(patients: number, seed: number, count = 2000): number[] {
  const rng = new SeededRandom(seed);
  return Array.from({ length: count }, () => rng.int(0, patients - 1));
}

function readPatientById(connections: number): Workload {
  return {
    name: `read Patient by id (c=${connections})`,
    group: 'read',
    connections,
    writes: false,
    async prepare({ client, patients, seed }) {
      const paths = sample(patients, seed).map((i) => `Patient/${patientId(i)}`);
      const probe = await client.request('GET', paths[0]);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      const next = rotate(paths);
      return { nextRequest: () => ({ method: 'GET', path: next() }) };
    },
  };
}

export const readWorkloads: Workload[] = [
  readPatientById(1),
  readPatientById(16),
  {
    name: 'vread Observation (c=16)',
    group: 'read',
    connections: 16,
    writes: false,
    async prepare({ client, patients, seed }) {
      const rng = new SeededRandom(seed + 1);
      const paths = sample(patients, seed + 2).map(
        (i) => `Observation/${patientId(i)}-e${rng.int(0, guaranteedVisits - 1)}-bp/_history/1`
      );
      const probe = await client.request('GET', paths[0]);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      const next = rotate(paths);
      return { nextRequest: () => ({ method: 'GET', path: next() }) };
    },
  },
  {
    // Clients poll the CapabilityStatement; it must not stall anyone (it is served from a cache).
    name: 'GET /metadata (c=1)',
    group: 'read',
    connections: 1,
    writes: false,
    async prepare({ client }) {
      const probe = await client.request('GET', 'metadata');
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      return { nextRequest: () => ({ method: 'GET', path: 'metadata' }) };
    },
  },
];

export { sample as samplePatients };
