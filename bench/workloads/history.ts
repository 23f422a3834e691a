// Workload 5: the history of one resource with 100 versions, and a page of system history.
import type { Patient } from '@medplum/fhirtypes';
import { describeFailure } from '../fhir-client';
import { patientRecord } from '../generator/patient-records';
import type { Prepared, Workload } from './workload';

export const historyWorkloads: Workload[] = [
  {
    name: 'history of a resource with 100 versions',
    group: 'history',
    connections: 1,
    writes: false,
    async prepare({ client, seed }): Promise<Prepared> {
      const base = patientRecord(0, seed)[0] as Patient;
      const id = 'bench-history-100';
      const existing = await client.request('GET', `Patient/${id}/_history?_count=1`);
      let version = existing.status === 200 ? Number(existing.body?.entry?.[0]?.resource?.meta?.versionId ?? 0) : 0;
      while (version < 100) {
        version++;
        const reply = await client.request('PUT', `Patient/${id}`, { ...base, id, multipleBirthInteger: version });
        if (reply.status >= 300) {
          return { unsupported: describeFailure(reply) };
        }
      }
      const path = `Patient/${id}/_history?_count=100`;
      const probe = await client.request('GET', path);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      return { nextRequest: () => ({ method: 'GET', path }) };
    },
  },
  {
    name: 'system history page (_count=50)',
    group: 'history',
    connections: 1,
    writes: false,
    async prepare({ client }): Promise<Prepared> {
      const path = '_history?_count=50';
      const probe = await client.request('GET', path);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      return { nextRequest: () => ({ method: 'GET', path }) };
    },
  },
];
