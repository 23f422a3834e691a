// Workload 8: ValueSet/$expand with a text filter over the ValueSet of a generated 10,000-concept
// CodeSystem, in English and Chinese: what a clinic's order-entry search box asks as the user types.
import { describeFailure } from '../fhir-client';
import { expandFilters, generatedCodeSystem, generatedValueSet, generatedValueSetUrl } from '../generator/code-system';
import { rotate, type Prepared, type Workload } from './workload';

const concepts = 10_000;

export const terminologyWorkloads: Workload[] = [
  {
    name: `$expand with a text filter (${concepts.toLocaleString('en')} concepts)`,
    group: 'terminology',
    connections: 1,
    writes: false,
    async prepare({ client, seed }): Promise<Prepared> {
      for (const resource of [generatedCodeSystem(concepts, seed), generatedValueSet()]) {
        const put = await client.request('PUT', `${resource.resourceType}/${resource.id}`, resource);
        if (put.status >= 300) {
          return { unsupported: `storing the generated ${resource.resourceType}: ${describeFailure(put)}` };
        }
      }
      const paths = expandFilters.map(
        (filter) => `ValueSet/$expand?url=${encodeURIComponent(generatedValueSetUrl)}&filter=${encodeURIComponent(filter)}&count=20`
      );
      const probe = await client.request('GET', paths[0]);
      if (probe.status !== 200) {
        return { unsupported: describeFailure(probe) };
      }
      if (!probe.body?.expansion?.contains?.length) {
        return { unsupported: `the probe expansion found nothing: ${paths[0]}` };
      }
      const next = rotate(paths);
      return { nextRequest: () => ({ method: 'GET', path: next() }) };
    },
  },
];
