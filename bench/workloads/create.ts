// Workload 1: single-resource POST of an Observation (a generated blood-pressure panel claiming no
// profile), at 1 and 16 clients; and, for workload 6's HTTP part, the same panel claiming the network's
// dhc-blood-pressure profile, so that the cost of profile validation on a write shows beside it.
import type { Observation } from '@medplum/fhirtypes';
import { describeFailure } from '../fhir-client';
import { patientRecord } from '../generator/patient-records';
import type { Workload, WorkloadContext } from './workload';

function createObservation(name: string, connections: number, observation: (context: WorkloadContext) => Observation): Workload {
  return {
    name: `${name} (c=${connections})`,
    group: 'create',
    connections,
    writes: true,
    async prepare(context) {
      const { id: _id, ...body } = observation(context);
      const probe = await context.client.request('POST', 'Observation', body);
      if (probe.status !== 201) {
        return { unsupported: describeFailure(probe) };
      }
      const text = JSON.stringify(body);
      return { nextRequest: () => ({ method: 'POST', path: 'Observation', body: text }) };
    },
  };
}

/** A generated blood-pressure panel as the generator makes it: claiming dhc-blood-pressure. */
const profiledPanel = ({ seed }: WorkloadContext): Observation => patientRecord(0, seed).find((r) => r.id?.endsWith('-bp')) as Observation;

/** The same panel claiming no profile: only the base schema is checked on create. */
const plainPanel = (context: WorkloadContext): Observation => {
  const { meta: _claims, ...panel } = profiledPanel(context);
  return panel;
};

export const createWorkloads: Workload[] = [
  createObservation('create Observation', 1, plainPanel),
  createObservation('create Observation', 16, plainPanel),
  createObservation('create profiled Observation (dhc-blood-pressure)', 16, profiledPanel),
];
