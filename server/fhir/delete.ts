// delete: DELETE [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#delete). Writes a tombstone
// version; history keeps every earlier version. Deleting a deleted resource changes nothing (204).
import { notFound } from '../outcomes';
import type { Interaction } from './request';
import { etag, parseIfMatch } from './version-headers';

export const deleteResource: Interaction = async (request, { resourceType, id }, context) => {
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  const result = await context.store.delete(resourceType as string, id as string, { expectedVersionId });
  if (!result.existed) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  const headers: Record<string, string> = result.version ? { ETag: etag(result.version.versionId) } : {};
  return { status: 204, headers };
};
