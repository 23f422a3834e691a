// read: GET [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#read), with conditional read
// (http.html#cread): If-None-Match naming the current version, or If-Modified-Since at or after its
// last update, gives 304 Not Modified without a body.
import { gone, notFound } from '../outcomes';
import { storedTextOf } from '../json/stored-text';
import type { ResourceVersion } from '../store/port';
import type { FhirRequest, Interaction } from './request';
import { applySubset, parseSubsetRequest } from './subsetting';
import { versionHeaders } from './version-headers';

export const read: Interaction = async (request, { resourceType, id }, context) => {
  const subset = parseSubsetRequest(request.query, false);
  const version = await context.store.readCurrent(resourceType as string, id as string);
  if (!version) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  if (version.deleted || !version.resource) {
    throw gone(`${resourceType}/${id} was deleted (version ${version.versionId})`, versionHeaders(version));
  }
  if (isNotModified(request, version)) {
    return { status: 304, headers: versionHeaders(version), version };
  }
  const body = applySubset(version.resource, subset);
  // Returned as read (no _summary or _elements): the stored text is sent as it is.
  return { status: 200, headers: versionHeaders(version), body, serialized: storedTextOf(body), version };
};

/** If-None-Match wins over If-Modified-Since, as in HTTP (RFC 9110 13.2.2). */
function isNotModified(request: FhirRequest, version: ResourceVersion): boolean {
  const noneMatch = request.headers['if-none-match'];
  if (noneMatch !== undefined) {
    return noneMatch
      .split(',')
      .map((tag) => tag.trim())
      .some((tag) => tag === '*' || tag.replace(/^W\//, '').replace(/"/g, '') === version.versionId);
  }
  const modifiedSince = request.headers['if-modified-since'];
  if (modifiedSince !== undefined) {
    const since = Date.parse(modifiedSince);
    // HTTP dates have whole seconds: compare at that precision, or a resource is never "not modified".
    return !Number.isNaN(since) && Math.floor(Date.parse(version.lastUpdated) / 1000) * 1000 <= since;
  }
  return false;
}
