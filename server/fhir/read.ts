// read: GET [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#read)
import { gone, notFound } from '../outcomes';
import type { Interaction } from './request';
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
  return { status: 200, headers: versionHeaders(version), body: applySubset(version.resource, subset) };
};
