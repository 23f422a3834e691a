// vread: GET [base]/[type]/[id]/_history/[vid] (https://hl7.org/fhir/R4/http.html#vread)
import { gone, notFound } from '../outcomes';
import type { Interaction } from './request';
import { applySubset, parseSubsetRequest } from './subsetting';
import { versionHeaders } from './version-headers';

export const vread: Interaction = async (request, { resourceType, id, versionId }, context) => {
  const subset = parseSubsetRequest(request.query, false);
  const version = await context.store.readVersion(resourceType as string, id as string, versionId as string);
  if (!version) {
    throw notFound(`${resourceType}/${id} has no version ${versionId}`);
  }
  if (version.deleted || !version.resource) {
    throw gone(`Version ${versionId} of ${resourceType}/${id} is its deletion`, versionHeaders(version));
  }
  return { status: 200, headers: versionHeaders(version), body: applySubset(version.resource, subset), version };
};
