// Loading the seed: the resources of the network and its patients as a stream, and the places
// transaction Bundles go: the server's own FHIR core in process (start-up, `--load --checked`), or a
// running server over HTTP (`--target`), both through the server's transaction interaction, so the data
// is checked and indexed exactly like data written by any client; or, for bulk loads of the generator's
// own output (`--load`), the store port directly, indexed by the same indexer but not checked again.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { FhirCore } from '../server/fhir-core';
import type { FhirRequest, FhirResponse } from '../server/fhir/request';
import { serverCaller, type Caller } from '../server/fhir/pipeline/caller';
import type { TransactionalOperations } from '../server/store/port';
import { FhirError } from '../server/outcomes';
import { networkDirectory } from './network/directory';
import { networkResources } from './network/resources';
import { qualityAssessmentResources } from './network/quality-assessment';
import { patientRecord } from './patients/patient-record';

/** The lead internet hospital: written last, so that its presence means the whole seed was loaded. */
export const seedCompleteMarker = { resourceType: 'Organization', id: 'org-internet-hospital' } as const;
/** The network: written first, so that its presence without the marker means an interrupted seed. */
export const seedStartedMarker = { resourceType: 'Organization', id: 'org-network' } as const;

/** The network's structure, then `patients` patients, then the marker; one list per patient. */
export function* seedResources(patients: number, seed: number, fromPatient = 0): Generator<Resource[]> {
  const directory = networkDirectory();
  const structure = networkResources(directory);
  const isMarker = (r: Resource): boolean => r.resourceType === seedCompleteMarker.resourceType && r.id === seedCompleteMarker.id;
  // The quality-control centre's records of the laboratories come with the structure they refer to.
  yield [...structure.filter((r) => !isMarker(r)), ...qualityAssessmentResources(directory)];
  for (let i = fromPatient; i < fromPatient + patients; i++) {
    yield patientRecord(i, seed);
  }
  yield structure.filter(isMarker);
}

/** Where transaction Bundles are sent; answers how many entries were written. */
export type BundleSink = (bundle: Bundle) => Promise<number>;

/** A request to the FHIR core in this process, answered like over HTTP: an error is its status and OperationOutcome. */
export async function inProcess(
  core: FhirCore,
  logger: Logger,
  request: Omit<FhirRequest, 'query' | 'caller'> & { query?: string; caller?: Caller }
): Promise<FhirResponse> {
  try {
    // The seed is the server's own work unless a caller is named.
    return await core.handle({ ...request, caller: request.caller ?? serverCaller, query: new URLSearchParams(request.query ?? '') }, logger);
  } catch (err) {
    if (err instanceof FhirError) {
      return { status: err.status, body: err.outcome };
    }
    throw err;
  }
}

/** Through the FHIR core in this process. Answers are minimal: only the entries' statuses are read. */
export function coreSink(core: FhirCore, logger: Logger): BundleSink {
  return async (bundle) => {
    const response = await inProcess(core, logger, { method: 'POST', path: '', headers: { prefer: 'return=minimal' }, body: bundle });
    return checkResponse(response.status, response.body as Bundle | undefined, bundle);
  };
}

/**
 * Into a store in bulk: each Bundle's PUTs in one store transaction, written and indexed by the store
 * exactly as the FHIR core's writes are, without a write's checks (base schema, profiles, bindings),
 * which cost more than the writes themselves at a million resources. Only for the generator's own
 * Bundles: test/seed/ validates what it generates against the profiles, through the server too.
 */
export function storeSink(store: TransactionalOperations): BundleSink {
  return (bundle) =>
    store.transaction(async (tx) => {
      let written = 0;
      for (const [i, entry] of (bundle.entry ?? []).entries()) {
        if (entry.request?.method !== 'PUT' || !entry.resource?.id) {
          throw new Error(`Bundle.entry[${i}]: a bulk load takes the generator's PUTs with ids, got ${entry.request?.method ?? 'no request'}`);
        }
        await tx.update(entry.resource);
        written++;
      }
      return written;
    });
}

/** Over HTTP to a running FHIR server (its base URL), with a bearer token when security is on. */
export function httpSink(baseUrl: string, token?: string): BundleSink {
  const base = baseUrl.replace(/\/+$/, '');
  return async (bundle) => {
    const reply = await fetch(`${base}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/fhir+json',
        accept: 'application/fhir+json',
        prefer: 'return=minimal',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(bundle),
    });
    return checkResponse(reply.status, (await reply.json()) as Bundle, bundle);
  };
}

/** Entries whose write created or changed a resource (200 or 201; an unchanged PUT answers 200 too). */
function checkResponse(status: number, body: Bundle | undefined, sent: Bundle): number {
  if (status !== 200 || body?.resourceType !== 'Bundle') {
    const detail = (body as { issue?: { diagnostics?: string; details?: { text?: string }; expression?: string[] }[] } | undefined)?.issue?.[0];
    throw new Error(
      `the transaction of ${sent.entry?.length ?? 0} entries was refused (HTTP ${status}): ${detail?.details?.text ?? detail?.diagnostics ?? ''} ${detail?.expression?.join(', ') ?? ''}`.trim()
    );
  }
  return body.entry?.length ?? 0;
}
