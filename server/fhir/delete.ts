// delete: DELETE [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#delete). Writes a tombstone
// version; history keeps every earlier version. Deleting a deleted resource changes nothing (204).
// Conditional delete, DELETE [base]/[type]?criteria (http.html#3.1.0.7.1), deletes what the search
// finds: one match, or several when FHIR_CONDITIONAL_DELETE_MULTIPLE allows it (otherwise 412).
import { issue, notFound, outcome, preconditionFailed } from '../outcomes';
import type { ResourceVersion, StoreOperations } from '../store/port';
import { findMatches } from './conditional-match';
import type { FhirContext, FhirResponse, Interaction } from './request';
import { etag, parseIfMatch } from './version-headers';

export const deleteResource: Interaction = async (request, { resourceType, id }, context) => {
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  const result = await context.store.delete(resourceType as string, id as string, { expectedVersionId });
  if (!result.existed) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  const headers: Record<string, string> = result.version ? { ETag: etag(result.version.versionId) } : {};
  return { status: 204, headers, version: result.version };
};

export const conditionalDelete: Interaction = async (request, { resourceType }, context) => {
  const type = resourceType as string;
  return context.store.transaction(async (tx) => {
    const matches = await findDeleteMatches(tx, context, type, request.query.toString());
    return deleteMatches(tx, type, matches);
  });
};

/** The resources a conditional delete removes; more than one only when the configuration allows it. */
export async function findDeleteMatches(
  store: StoreOperations,
  context: FhirContext,
  resourceType: string,
  criteria: string
): Promise<ResourceVersion[]> {
  const multiple = context.settings.conditionalDeleteMultiple;
  // With several allowed, the bound keeps one request from deleting without limit.
  const limit = multiple ? context.settings.maxBundleEntries + 1 : 2;
  const matches = await findMatches(store, context, resourceType, criteria, limit, 'Conditional delete');
  if (matches.length >= limit) {
    throw preconditionFailed(
      multiple
        ? `Conditional delete '${resourceType}?${criteria}' matches more than ${limit - 1} resources: narrow the criteria`
        : `Conditional delete '${resourceType}?${criteria}' matches more than one resource; this server deletes one at a time ` +
            '(FHIR_CONDITIONAL_DELETE_MULTIPLE=off): make the criteria more selective'
    );
  }
  return matches;
}

/** Deletes the matched resources; 200 with an OperationOutcome that says what was deleted. */
export async function deleteMatches(store: StoreOperations, resourceType: string, matches: ResourceVersion[]): Promise<FhirResponse> {
  for (const match of matches) {
    await store.delete(resourceType, match.id);
  }
  const text = matches.length
    ? `Deleted ${matches.map((m) => `${resourceType}/${m.id}`).join(', ')}`
    : `No ${resourceType} matched the criteria: nothing deleted`;
  return { status: 200, body: outcome(issue('informational', text, undefined, 'information')) };
}
