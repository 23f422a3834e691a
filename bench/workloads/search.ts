// Workload 4: the searches the network's EMRs and HIS vendors run, at one client so that latency is
// the search's own. Each is probed with Prefer: handling=strict first, so a server that would silently
// ignore a parameter is reported as not supporting it instead of being timed on a different query.
import { describeFailure, type FhirClient } from '../fhir-client';
import { codes, familyNamePinyin, loinc, patientId, patientResidentId, residentIdSystem } from '../generator/patient-records';
import { samplePatients } from './read';
import { rotate, type Prepared, type Workload, type WorkloadContext } from './workload';

const enc = encodeURIComponent;

async function probeSearch(client: FhirClient, path: string): Promise<string | undefined> {
  const reply = await client.requestWithHeaders('GET', path, { prefer: 'handling=strict' });
  if (reply.status !== 200) {
    return describeFailure(reply);
  }
  const matches = (reply.body?.entry ?? []).filter((e: { search?: { mode?: string } }) => e.search?.mode !== 'outcome');
  if (!matches.length) {
    return `the probe query found nothing: ${path}`;
  }
  return undefined;
}

function search(name: string, pathFor: (patient: number, context: WorkloadContext) => string): Workload {
  return {
    name,
    group: 'search',
    connections: 1,
    writes: false,
    async prepare(context): Promise<Prepared> {
      const paths = samplePatients(context.patients, context.seed + name.length, 500).map((p) => pathFor(p, context));
      const failure = await probeSearch(context.client, paths[0]);
      if (failure) {
        return { unsupported: failure };
      }
      const next = rotate(paths);
      return { nextRequest: () => ({ method: 'GET', path: next() }) };
    },
  };
}

export const searchWorkloads: Workload[] = [
  search('search token (Observation?code)', () => `Observation?code=${enc(`${loinc}|${codes.weight}`)}`),
  search(
    'search patient + date + code',
    (p) => `Observation?patient=Patient/${patientId(p)}&date=ge2024-01-01&date=lt2025-01-01&code=${enc(`${loinc}|${codes.bpPanel}`)}`
  ),
  search('search string (Patient?name)', (p) => `Patient?name=${enc(familyNamePinyin(p))}`),
  search(
    'search chained (subject:Patient.identifier)',
    (p, { seed }) => `Observation?subject:Patient.identifier=${enc(`${residentIdSystem}|${patientResidentId(p, seed)}`)}`
  ),
  search('search _include (Observation:subject)', (p) => `Observation?patient=Patient/${patientId(p)}&_include=Observation:subject`),
  search('search _revinclude (Observation:subject)', (p) => `Patient?_id=${patientId(p)}&_revinclude=Observation:subject`),
  search('search _sort=-date _count=50', () => `Observation?code=${enc(`${loinc}|${codes.weight}`)}&_sort=-date&_count=50`),
  {
    name: 'search _sort=-date _count=50, page 2',
    group: 'search',
    connections: 1,
    writes: false,
    async prepare({ client }): Promise<Prepared> {
      const first = `Observation?code=${enc(`${loinc}|${codes.weight}`)}&_sort=-date&_count=50`;
      const failure = await probeSearch(client, first);
      if (failure) {
        return { unsupported: failure };
      }
      const reply = await client.request('GET', first);
      const next: string | undefined = reply.body?.link?.find((l: { relation: string }) => l.relation === 'next')?.url;
      if (!next) {
        return { unsupported: 'the first page has no next link' };
      }
      const path = client.relativePath(next);
      return { nextRequest: () => ({ method: 'GET', path }) };
    },
  },
];
