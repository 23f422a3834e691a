// patch: PATCH [base]/[type]/[id] and conditional PATCH [base]/[type]?criteria
// (https://hl7.org/fhir/R4/http.html#patch). The body is a JSON Patch (application/json-patch+json) or a
// FHIRPath Patch (a Parameters resource). Read, patch, validate and write share one transaction, so a
// concurrent write between the read and the write cannot be overwritten; a patched result that is not
// a valid resource is a 422 and nothing is stored.
import type { Resource } from '@medplum/fhirtypes';
import { badRequest, FhirError, gone, notFound, preconditionFailed } from '../../outcomes';
import type { StoreOperations } from '../../store/port';
import { findSingleMatch } from '../conditional-match';
import { writeResponse } from '../prefer';
import type { FhirContext, FhirRequest, FhirResponse, Interaction } from '../request';
import { validateWrite } from '../validate-write';
import { parseIfMatch, versionHeaders } from '../version-headers';
import { applyFhirPathPatch } from './fhirpath-patch';
import { applyJsonPatch } from './json-patch';

export const patch: Interaction = async (request, { resourceType, id }, context) =>
  context.store.transaction((tx) => patchResource(tx, request, resourceType as string, id as string, context));

export const conditionalPatch: Interaction = async (request, { resourceType }, context) => {
  const type = resourceType as string;
  const criteria = request.query.toString();
  return context.store.transaction(async (tx) => {
    const id = await findSingleMatch(tx, context, type, criteria, 'Conditional patch');
    return patchResource(tx, request, type, id, context);
  });
};

async function patchResource(
  tx: StoreOperations,
  request: FhirRequest,
  resourceType: string,
  id: string,
  context: FhirContext
): Promise<FhirResponse> {
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  const current = await tx.readCurrent(resourceType, id);
  if (!current) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  if (current.deleted || !current.resource) {
    throw gone(`${resourceType}/${id} was deleted (version ${current.versionId}): there is nothing to patch`);
  }
  if (expectedVersionId !== undefined && expectedVersionId !== current.versionId) {
    throw preconditionFailed(
      `If-Match expected ${resourceType}/${id} at version ${expectedVersionId}, but it is at version ${current.versionId}; read it again and retry`
    );
  }
  const patched = applyPatchBody(current.resource, request);
  const resource = validatePatched(patched, resourceType, id);
  await context.validator.checkWrite(resource);
  const { version, outcome } = await tx.update(resource, { expectedVersionId: current.versionId });
  const message =
    outcome === 'unchanged'
      ? `The patch leaves ${resourceType}/${id} unchanged: no new version written`
      : `Patched ${resourceType}/${id} (version ${version.versionId})`;
  return { ...writeResponse(request, 200, version.resource!, versionHeaders(version), message), version };
}

/** JSON Patch by its media type (or a bare array); otherwise the body must be a FHIRPath Patch. */
function applyPatchBody(resource: Resource, request: FhirRequest): Resource {
  const mediaType = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (request.body === undefined) {
    throw badRequest('PATCH needs a body: a JSON Patch (application/json-patch+json) or a FHIRPath Patch Parameters resource');
  }
  if (mediaType === 'application/json-patch+json' || Array.isArray(request.body)) {
    return applyJsonPatch(resource, request.body);
  }
  return applyFhirPathPatch(resource, request.body);
}

/** A patch that breaks the resource is the patch's fault, not a malformed request: 422, as the spec says. */
function validatePatched(patched: Resource, resourceType: string, id: string): Resource {
  try {
    return validateWrite(patched, resourceType, id);
  } catch (err) {
    if (err instanceof FhirError && err.status === 400) {
      throw new FhirError(422, err.outcome.issue, err.headers);
    }
    throw err;
  }
}
