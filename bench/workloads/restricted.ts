// Security's cost for a restricted caller: a clinic's clinician reads and searches the records of the
// clinic's patients, and an administrator (whom nothing is withheld from) makes exactly the same
// requests, so the pair shows in one run what checking the grant costs per request. With security off
// (no userToken) both run as the anonymous caller, for the on/off comparison.
import { describeFailure, type FhirClient } from '../fhir-client';
import type { BenchRequest } from '../http-load';
import { patientId } from '../generator/patient-records';
import { rotate, type Prepared, type Workload, type WorkloadContext } from './workload';

interface ClinicRecords {
  organization: string;
  patients: string[];
  observations: string[];
}

/** The clinic of the first generated patient, up to 50 of its patients and 5 observations of each. */
async function clinicRecords(client: FhirClient): Promise<ClinicRecords | string> {
  const first = await client.request('GET', `Patient/${patientId(0)}`);
  const organization = first.body?.managingOrganization?.reference as string | undefined;
  if (first.status !== 200 || !organization) {
    return first.status !== 200 ? describeFailure(first) : `Patient/${patientId(0)} has no managingOrganization`;
  }
  const listed = await client.request('GET', `Patient?organization=${organization}&_count=50&_elements=id`);
  const patients = ((listed.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => e.resource.id);
  const observations: string[] = [];
  for (const patient of patients) {
    const found = await client.request('GET', `Observation?subject=Patient/${patient}&_count=5&_elements=id`);
    observations.push(...((found.body?.entry ?? []) as { resource: { id: string } }[]).map((e) => `Observation/${e.resource.id}`));
  }
  return patients.length && observations.length ? { organization, patients, observations } : `no patients or observations at ${organization}`;
}

type Caller = 'clinician' | 'administrator';

const callerName = (caller: Caller): string => (caller === 'clinician' ? "the clinic's clinician" : 'an administrator');

function authorization(context: WorkloadContext, caller: Caller, organization: string): Record<string, string> {
  if (!context.userToken) {
    return {};
  }
  const grant = caller === 'clinician' ? { roles: ['clinician'], organizations: [organization] } : { roles: ['administrator'], organizations: [] };
  return { authorization: `Bearer ${context.userToken(grant)}` };
}

async function prepared(context: WorkloadContext, caller: Caller, paths: (records: ClinicRecords) => string[]): Promise<Prepared> {
  const records = await clinicRecords(context.client);
  if (typeof records === 'string') {
    return { unsupported: records };
  }
  const headers = authorization(context, caller, records.organization);
  const all = paths(records);
  const probe = await context.client.requestWithHeaders('GET', all[0], headers);
  if (probe.status !== 200) {
    return { unsupported: describeFailure(probe) };
  }
  const next = rotate(all);
  return { nextRequest: (): BenchRequest => ({ method: 'GET', path: next(), headers }) };
}

/** One request in `writeEvery` writes an Encounter at the clinic for one of its patients. */
const writeEvery = 20;

/**
 * The reads while the clinic writes Encounters (as the same caller, one request in `writeEvery`): for
 * the clinician each Encounter changes what the kept visibility verdicts depend on, so the pair measures
 * what the busy network's writes leave of them.
 */
async function readsWhileWriting(context: WorkloadContext, caller: Caller): Promise<Prepared> {
  const base = await prepared(context, caller, reads);
  const records = await clinicRecords(context.client);
  if ('unsupported' in base) {
    return base;
  }
  if (typeof records === 'string') {
    return { unsupported: records };
  }
  const headers = { ...authorization(context, caller, records.organization), 'content-type': 'application/fhir+json' };
  const patient = rotate(records.patients);
  let written = 0;
  const encounter = (): BenchRequest => {
    const id = `bench-visit-${written++ % 500}`;
    const body = {
      resourceType: 'Encounter',
      id,
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: `Patient/${patient()}` },
      serviceProvider: { reference: records.organization },
    };
    return { method: 'PUT', path: `Encounter/${id}`, body: JSON.stringify(body), headers, kind: 'write an Encounter' };
  };
  const probe = encounter();
  const probed = await context.client.requestWithHeaders('PUT', probe.path, probe.headers ?? {}, JSON.parse(probe.body as string));
  if (probed.status !== 200 && probed.status !== 201) {
    return { unsupported: describeFailure(probed) };
  }
  let n = 0;
  return {
    kinds: [{ kind: 'read' }, { kind: 'write an Encounter' }],
    nextRequest: (): BenchRequest => (++n % writeEvery === 0 ? encounter() : { ...base.nextRequest(), kind: 'read' }),
  };
}

const reads = (r: ClinicRecords): string[] => [...r.patients.map((p) => `Patient/${p}`), ...r.observations];
const searches = (r: ClinicRecords): string[] => r.patients.map((p) => `Observation?subject=Patient/${p}&_count=10`);

const whileWriting = (caller: Caller): Workload => ({
  name: `read a clinic's records as ${callerName(caller)}, 1 in ${writeEvery} requests writing an Encounter there (c=16)`,
  group: 'read',
  connections: 16,
  writes: true,
  prepare: (context) => readsWhileWriting(context, caller),
});

export const restrictedWorkloads: Workload[] = [
  ...(['clinician', 'administrator'] as const).flatMap((caller): Workload[] => [
  {
    name: `read a clinic's records as ${callerName(caller)} (c=16)`,
    group: 'read',
    connections: 16,
    writes: false,
    prepare: (context) => prepared(context, caller, reads),
  },
  {
    name: `search a patient's Observations as ${callerName(caller)} (c=16)`,
    group: 'search',
    connections: 16,
    writes: false,
    prepare: (context) => prepared(context, caller, searches),
  },
  ]),
  whileWriting('clinician'),
  whileWriting('administrator'),
];
