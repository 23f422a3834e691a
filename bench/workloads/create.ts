// Workload 1: single-resource POST of an Observation (a blood-pressure panel), at 1 and 16 clients;
// and, for workload 6's HTTP part, the same panel claiming the network's dhc-blood-pressure profile, so
// that the cost of profile validation on a write shows against the base-schema-only create.
import type { Observation } from '@medplum/fhirtypes';
import fs from 'node:fs';
import path from 'node:path';
import { describeFailure } from '../fhir-client';
import { patientRecord } from '../generator/patient-records';
import type { Workload, WorkloadContext } from './workload';

const profiledExample = path.resolve(__dirname, '..', '..', '..', 'profiles', 'examples', 'valid', 'dhc-blood-pressure--clinic.json');

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

const plainPanel = ({ seed }: WorkloadContext): Observation => patientRecord(0, seed).find((r) => r.id?.endsWith('-bp')) as Observation;
const profiledPanel = (): Observation => JSON.parse(fs.readFileSync(profiledExample, 'utf8')) as Observation;

export const createWorkloads: Workload[] = [
  createObservation('create Observation', 1, plainPanel),
  createObservation('create Observation', 16, plainPanel),
  createObservation('create profiled Observation (dhc-blood-pressure)', 16, profiledPanel),
];
