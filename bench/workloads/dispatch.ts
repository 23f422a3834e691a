// Home-care dispatch: POST ServiceRequest/[id]/$dispatch on assessed orders of the loaded patients, one
// order per request (a dispatched order answers 409 to a second dispatch), at 1 client. Each dispatch
// ranks the nurses of the in-memory roster authorized for the service and serving the home, counts the
// open visits of those left in one search, and writes the Task through the write rules. The orders are written first, in transaction Bundles; a
// nurse takes at most 6 open visits a day, so the orders are spread over the loaded patients and a year.
import type { Patient, Resource } from '@medplum/fhirtypes';
import { putTransaction } from '../../seed/bundles';
import { networkDirectory } from '../../seed/network/directory';
import { homeCareOrder } from '../../seed/workflows/homecare-orders';
import { describeFailure } from '../fhir-client';
import { patientRecord } from '../generator/patient-records';
import type { Workload } from './workload';

/**
 * Orders written for the workload: more than its runs dispatch (a dispatched order answers 409 to a
 * second dispatch, which would be measured instead), about 100 a second over three runs of a few
 * seconds with their warm-ups. A smoke run's short runs dispatch about 110 on this machine (with 40
 * orders, the 41st request dispatched the first order again): 400 leaves room for a faster one.
 */
const poolSize = (patients: number): number => Math.min(3000, Math.max(400, patients * 20));

export const dispatchWorkloads: Workload[] = [
  {
    name: '$dispatch home-care order (c=1)',
    group: 'create',
    connections: 1,
    writes: true,
    async prepare({ client, patients, seed }) {
      const network = networkDirectory();
      const stamp = Date.now().toString(36);
      const ids: string[] = [];
      let resources: Resource[] = [];
      const now = Date.now();
      const pool = poolSize(patients);
      for (let j = 0; j < pool && patients > 0; j++) {
        const patient = patientRecord(j % patients, seed, network)[0] as Patient;
        const id = `bench-hc-${stamp}-${j}`;
        const { request, assessment } = homeCareOrder(id, j, patient, network, { byPatient: false, decision: 'eligible', now, daysAhead: 1 + (j % 365) });
        resources.push(request, assessment);
        ids.push(id);
        if (resources.length >= 1000 || j === pool - 1) {
          const reply = await client.request('POST', '', putTransaction(resources));
          if (reply.status !== 200) {
            return { unsupported: `the orders could not be written: ${describeFailure(reply)}` };
          }
          resources = [];
        }
      }
      const probe = await client.request('POST', `ServiceRequest/${ids[0]}/$dispatch`);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      let i = 1;
      return { nextRequest: () => ({ method: 'POST', path: `ServiceRequest/${ids[i++ % ids.length]}/$dispatch` }) };
    },
  },
];
