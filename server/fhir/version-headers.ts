// ETag, Last-Modified and Location for a resource version (https://hl7.org/fhir/R4/http.html#versioning).
import { badRequest } from '../outcomes';
import type { ResourceVersion } from '../store/port';

/** The weak ETag of a version, as FHIR writes it: W/"3". */
export function etag(versionId: string): string {
  return `W/"${versionId}"`;
}

export function versionHeaders(version: ResourceVersion, baseUrl?: string): Record<string, string> {
  const headers: Record<string, string> = {
    ETag: etag(version.versionId),
    'Last-Modified': new Date(version.lastUpdated).toUTCString(),
  };
  if (baseUrl) {
    headers.Location = `${baseUrl}/${version.resourceType}/${version.id}/_history/${version.versionId}`;
  }
  return headers;
}

/** The versionId in an If-Match header: W/"3" (as the spec writes it), "3", or 3. */
export function parseIfMatch(value: string | undefined): string | undefined {
  if (value === undefined) {
    return undefined;
  }
  const match = /^\s*(?:W\/)?"?([A-Za-z0-9\-.]{1,64})"?\s*$/.exec(value);
  if (!match) {
    throw badRequest(`If-Match must name a version as W/"<versionId>", got '${value}'`, 'If-Match');
  }
  return match[1];
}
