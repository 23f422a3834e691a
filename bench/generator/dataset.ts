// The benchmark's data set: patient records in index order until a target number of resources, and
// transaction Bundles built from them.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { residentIdSystem } from '../../server/integrity/check-characters';
import { patientRecord } from './patient-records';

export { putTransaction } from '../../seed/bundles';

export const defaultSeed = 20261123;

/** Appends whole patients from `fromPatient` until at least `resourceCount` resources; returns where it stopped. */
export function* resourcesUntil(
  fromPatient: number,
  resourceCount: number,
  seed: number
): Generator<Resource[], number, undefined> {
  let produced = 0;
  let index = fromPatient;
  while (produced < resourceCount) {
    const record = patientRecord(index++, seed);
    produced += record.length;
    yield record;
  }
  return index;
}

/**
 * A transaction of POSTs with urn:uuid fullUrls and references rewritten to them, as an HIS sends a
 * clinic's new data: the server assigns the ids. `salt` makes the uuids differ between bundles. A
 * patient is created only if no Patient has its resident ID yet (If-None-Exist), as an HIS sends a
 * known patient's new follow-ups: the server keeps one Patient per resident ID.
 */
export function postTransaction(resources: Resource[], salt: string): Bundle {
  const urns = new Map<string, string>();
  resources.forEach((r, i) => urns.set(`${r.resourceType}/${r.id}`, `urn:uuid:${uuidFrom(salt, i)}`));
  const entry: BundleEntry[] = resources.map((resource) => {
    const { id, ...withoutId } = resource;
    const text = JSON.stringify(withoutId).replace(/"reference":"([A-Za-z]+\/[A-Za-z0-9\-.]+)"/g, (whole, ref: string) =>
      urns.has(ref) ? `"reference":"${urns.get(ref)}"` : whole
    );
    return {
      fullUrl: urns.get(`${resource.resourceType}/${id}`),
      resource: JSON.parse(text) as Resource,
      request: { method: 'POST', url: resource.resourceType, ...ifNoneExist(resource) },
    };
  });
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

function ifNoneExist(resource: Resource): { ifNoneExist?: string } {
  const resident = resource.resourceType === 'Patient' ? resource.identifier?.find((i) => i.system === residentIdSystem) : undefined;
  return resident?.value ? { ifNoneExist: `identifier=${residentIdSystem}|${resident.value}` } : {};
}

/** A deterministic, well-formed UUID (version 4 layout) from a salt and a number. */
function uuidFrom(salt: string, n: number): string {
  let h = 2166136261;
  for (const c of salt) {
    h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  }
  const hex = (h.toString(16).padStart(8, '0') + n.toString(16).padStart(12, '0')).slice(0, 20).padEnd(20, '0');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${n.toString(16).padStart(12, '0')}`;
}
