// Workload 1: single-resource POST of an Observation (a blood-pressure panel), at 1 and 16 clients.
import type { Observation } from '@medplum/fhirtypes';
import { describeFailure } from '../fhir-client';
import { patientRecord } from '../generator/patient-records';
import type { Workload } from './workload';

function createObservation(connections: number): Workload {
  return {
    name: `create Observation (c=${connections})`,
    group: 'create',
    connections,
    writes: true,
    async prepare({ client, seed }) {
      const template = patientRecord(0, seed).find((r) => r.id?.endsWith('-bp')) as Observation;
      const { id: _id, ...observation } = template;
      const body = JSON.stringify(observation);
      const probe = await client.request('POST', 'Observation', observation);
      if (probe.status !== 201) {
        return { unsupported: describeFailure(probe) };
      }
      return { nextRequest: () => ({ method: 'POST', path: 'Observation', body }) };
    },
  };
}

export const createWorkloads: Workload[] = [createObservation(1), createObservation(16)];
