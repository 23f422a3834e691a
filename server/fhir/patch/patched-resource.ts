// The check every patch result passes: it is still a JSON object and still the same resource. The PATCH
// interaction changes a resource's content, never which resource it is (https://hl7.org/fhir/R4/http.html#patch).
import type { Resource } from '@medplum/fhirtypes';
import { issue, unprocessable, shown } from '../../outcomes';

/** Returns `patched` as a Resource when it kept the resourceType and id of `original`; 422 otherwise. */
export function checkPatchedResource(original: Resource, patched: unknown): Resource {
  if (typeof patched !== 'object' || patched === null || Array.isArray(patched)) {
    throw unprocessable([issue('processing', 'The patched document is not a JSON object, so it is not a resource')]);
  }
  const result = patched as Partial<Resource>;
  if (result.resourceType !== original.resourceType) {
    throw unprocessable([
      issue(
        'processing',
        `A patch cannot change resourceType (from '${original.resourceType}' to '${shown(result.resourceType)}')`,
        'resourceType'
      ),
    ]);
  }
  if (result.id !== original.id) {
    throw unprocessable([
      issue(
        'processing',
        `A patch cannot change the id (from '${shown(original.id)}' to '${shown(result.id)}'): ` +
          'the PATCH interaction cannot rename a resource',
        `${original.resourceType}.id`
      ),
    ]);
  }
  return result as Resource;
}
