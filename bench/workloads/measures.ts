// Workload: Measure/[id]/$evaluate-measure for each management indicator over the whole network and the
// year 2025 (docs/kpi.md): the store aggregates every patient under management, their follow-ups and
// their latest values. The aim is under 5 seconds each for the 1-million-resource network.
import { describeFailure } from '../fhir-client';
import type { Prepared, Workload } from './workload';

const measureIds = [
  'hypertension-under-management',
  'diabetes-under-management',
  'hypertension-standardized-management',
  'diabetes-standardized-management',
  'blood-pressure-control',
  'blood-glucose-control',
];

export const measureWorkloads: Workload[] = measureIds.map((id) => ({
  name: `$evaluate-measure ${id} (network, 2025)`,
  group: 'search',
  connections: 1,
  writes: false,
  async prepare({ client }): Promise<Prepared> {
    const path = `Measure/${id}/$evaluate-measure?periodStart=2025-01-01&periodEnd=2025-12-31`;
    const probe = await client.request('GET', path);
    if (probe.status !== 200) {
      return { unsupported: describeFailure(probe) };
    }
    if (!probe.body?.group?.[0]?.population?.[0]?.count) {
      return { unsupported: `the probe report counts no patient: ${path}` };
    }
    return { nextRequest: () => ({ method: 'GET', path }) };
  },
}));
