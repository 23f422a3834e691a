// update: PUT [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#update). A client-chosen id that
// does not exist yet is created (update as create). If-Match is checked inside the store's transaction.
import { writeResponse } from './prefer';
import type { Interaction } from './request';
import { validateWrite } from './validate-write';
import { parseIfMatch, versionHeaders } from './version-headers';

export const update: Interaction = async (request, { resourceType, id }, context) => {
  const resource = validateWrite(request.body, resourceType as string, id);
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  const { version, outcome } = await context.store.update(resource, { expectedVersionId });
  const created = outcome === 'created';
  const headers = versionHeaders(version, created ? context.baseUrl : undefined);
  const message =
    outcome === 'unchanged'
      ? `${resourceType}/${id} is unchanged: no new version written`
      : `${created ? 'Created' : 'Updated'} ${resourceType}/${id} (version ${version.versionId})`;
  return writeResponse(request, created ? 201 : 200, version.resource!, headers, message);
};
