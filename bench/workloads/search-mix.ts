// The EMR search mix (issue 21): 30 kinds of query taken in turn, at 1 client and at 16, reporting each
// kind's p50/p95, the mix's requests/s and the server's CPU. The values are drawn from resources of
// sampled loaded patients read back from the server, so the mix runs as well against --target.
// `--only search-mix` selects it.
import type { Condition, Encounter, Observation, Patient } from '@medplum/fhirtypes';
import { describeFailure, type FhirClient } from '../fhir-client';
import type { BenchRequest } from '../http-load';
import { patientId } from '../generator/patient-records';
import { samplePatients } from './read';
import { mixQueries, type MixQuery, type PatientSample } from './search-mix-queries';
import { rotate, type Prepared, type Workload, type WorkloadContext } from './workload';

/** Patients whose records give the mix its values. */
const sampledPatients = 24;
/** Different paths of one kind the mix rotates through (a second page's first pages are fetched once each). */
const pathsPerKind = 40;
const secondPagesPerKind = 8;

type Bundle<T> = { entry?: { resource?: T; search?: { mode?: string } }[]; total?: number; link?: { relation: string; url: string }[] };

async function searchAll<T>(client: FhirClient, path: string): Promise<T[]> {
  const reply = await client.request('GET', path);
  const bundle = reply.body as Bundle<T> | undefined;
  return (bundle?.entry ?? []).filter((e) => e.search?.mode !== 'outcome' && e.resource).map((e) => e.resource as T);
}

async function samplePatient(client: FhirClient, id: string): Promise<PatientSample | undefined> {
  const reply = await client.request('GET', `Patient/${id}`);
  if (reply.status !== 200) {
    return undefined;
  }
  const subject = `subject=Patient/${id}&_count=200`;
  return {
    patient: reply.body as Patient,
    observations: await searchAll<Observation>(client, `Observation?${subject}`),
    conditions: await searchAll<Condition>(client, `Condition?${subject}`),
    encounters: await searchAll<Encounter>(client, `Encounter?${subject}`),
  };
}

/** Why a kind's first path cannot be measured (an error, or nothing found), or undefined when it can. */
async function probe(client: FhirClient, path: string): Promise<string | undefined> {
  const reply = await client.requestWithHeaders('GET', path, { prefer: 'handling=strict' });
  if (reply.status !== 200) {
    return describeFailure(reply);
  }
  const body = reply.body as Bundle<unknown> & { resourceType?: string };
  const found = body.resourceType === 'CapabilityStatement' || (body.total ?? 0) > 0 || (body.entry ?? []).some((e) => e.search?.mode !== 'outcome');
  return found ? undefined : `the probe query found nothing: ${path}`;
}

/** A kind's request paths: its paths over the samples (distinct, bounded), or their first pages' next links. */
async function kindPaths(client: FhirClient, query: MixQuery, samples: PatientSample[]): Promise<string[] | { unsupported: string }> {
  const paths = [...new Set(samples.flatMap((s) => query.paths(s)))].slice(0, query.secondPage ? secondPagesPerKind : pathsPerKind);
  if (!paths.length) {
    return { unsupported: 'no sampled patient has the data this kind needs' };
  }
  const failure = await probe(client, paths[0]);
  if (failure) {
    return { unsupported: failure };
  }
  if (!query.secondPage) {
    return paths;
  }
  const next: string[] = [];
  for (const path of paths) {
    const reply = await client.request('GET', path);
    const url = (reply.body as Bundle<unknown> | undefined)?.link?.find((l) => l.relation === 'next')?.url;
    if (url) {
      next.push(client.relativePath(url));
    }
  }
  return next.length ? next : { unsupported: 'no first page has a next link' };
}

async function prepareMix({ client, patients, seed }: WorkloadContext): Promise<Prepared> {
  const ids = [...new Set(samplePatients(patients, seed + 21, sampledPatients))].map(patientId);
  const samples: PatientSample[] = [];
  for (const id of ids) {
    const sample = await samplePatient(client, id);
    if (sample) {
      samples.push(sample);
    }
  }
  if (!samples.length) {
    return { unsupported: 'none of the sampled patients could be read' };
  }
  const kinds: { kind: string; next: () => string }[] = [];
  const reported: { kind: string; unsupported?: string }[] = [];
  for (const query of mixQueries) {
    const paths = await kindPaths(client, query, samples);
    if ('unsupported' in paths) {
      reported.push({ kind: query.kind, unsupported: paths.unsupported });
    } else {
      kinds.push({ kind: query.kind, next: rotate(paths) });
      reported.push({ kind: query.kind });
    }
  }
  if (!kinds.length) {
    return { unsupported: `no kind of query could be measured; the first: ${reported[0]?.unsupported}` };
  }
  // The kinds are taken in turn, each with its next value: every kind weighs the same in the mix.
  const nextKind = rotate(kinds);
  return {
    nextRequest: (): BenchRequest => {
      const { kind, next } = nextKind();
      return { method: 'GET', path: next(), kind };
    },
    kinds: reported,
  };
}

function mix(connections: number): Workload {
  return {
    name: `search-mix, ${mixQueries.length} kinds (c=${connections})`,
    group: 'search',
    connections,
    writes: false,
    prepare: prepareMix,
  };
}

export const searchMixWorkloads: Workload[] = [mix(1), mix(16)];
