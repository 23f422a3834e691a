// Rules of versioning every adapter applies alike: the server's meta on a stored version, what counts as
// an unchanged update, and the optimistic-locking check of If-Match. https://hl7.org/fhir/R4/http.html#versioning
import type { Resource } from '@medplum/fhirtypes';
import { stringifyKeepingNumbers } from '../json/number-text';
import { preconditionFailed } from '../outcomes';
import type { WriteOptions } from './port';

/** The resource as stored: meta.versionId and meta.lastUpdated set by the server, placed first. */
export function withMeta<T extends Resource>(resource: T, versionId: string, lastUpdated: string): T {
  const { resourceType, id, meta, ...rest } = resource;
  return { resourceType, id, meta: { ...meta, versionId, lastUpdated }, ...rest } as unknown as T;
}

/** Equal apart from the server-managed meta elements: such an update writes no new version. */
export function sameContent(stored: Resource, incoming: Resource): boolean {
  return stringifyKeepingNumbers(withoutServerMeta(stored)) === stringifyKeepingNumbers(withoutServerMeta(incoming));
}

function withoutServerMeta(resource: Resource): Resource {
  const { resourceType, id, meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return (Object.keys(metaRest).length ? { resourceType, id, meta: metaRest, ...rest } : { resourceType, id, ...rest }) as Resource;
}

/** Refuses (412) a write whose If-Match names another version than the current one. */
export function checkExpectedVersion(
  resourceType: string,
  id: string,
  current: { version: number; deleted: boolean } | undefined,
  options: WriteOptions
): void {
  if (options.expectedVersionId === undefined) {
    return;
  }
  if (!current || current.deleted || String(current.version) !== options.expectedVersionId) {
    const actual = !current ? 'does not exist' : current.deleted ? 'is deleted' : `is at version ${current.version}`;
    throw preconditionFailed(
      `If-Match expected ${resourceType}/${id} at version ${options.expectedVersionId}, but it ${actual}; read it again and retry`
    );
  }
}
