// delete: DELETE [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#delete). Writes a tombstone
// version; history keeps every earlier version. Deleting a deleted resource changes nothing (204).
// Conditional delete, DELETE [base]/[type]?criteria (http.html#3.1.0.7.1), deletes what the search
// finds: one match, or several when FHIR_CONDITIONAL_DELETE_MULTIPLE allows it (otherwise 412).
import { badRequest, FhirError, issue, notFound, outcome, preconditionFailed } from '../outcomes';
import type { ResourceRef, ResourceVersion, StoreOperations } from '../store/port';
import { findMatches } from './conditional-match';
import { recordTypes } from './record-types';
import type { FhirContext, FhirResponse, Interaction } from './request';
import { etag, parseIfMatch } from './version-headers';

export const deleteResource: Interaction = async (request, { resourceType, id }, context) => {
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  if (request.query.has('_cascade')) {
    return cascadingDelete(request.query.get('_cascade') as string, resourceType as string, id as string, expectedVersionId, context);
  }
  const result = await context.store.delete(resourceType as string, id as string, { expectedVersionId });
  if (!result.existed) {
    throw notFound(`${resourceType}/${id} is not known`);
  }
  const headers: Record<string, string> = result.version ? { ETag: etag(result.version.versionId) } : {};
  return { status: 204, headers, version: result.version };
};

/**
 * DELETE [type]/[id]?_cascade=delete (as HAPI FHIR names it): the resources that refer to this one, and
 * those that refer to them, are deleted with it in one transaction, referrers first; Provenance and
 * AuditEvent records are neither in the way nor deleted. Allowed only where FHIR_CASCADE_DELETE=on.
 */
async function cascadingDelete(
  mode: string,
  resourceType: string,
  id: string,
  expectedVersionId: string | undefined,
  context: FhirContext
): Promise<FhirResponse> {
  if (mode !== 'delete') {
    throw badRequest(`_cascade takes the value 'delete', got '${mode}'`, '_cascade');
  }
  if (!context.settings.cascadeDelete) {
    throw new FhirError(400, [
      issue('not-supported', 'This server does not delete referring resources along with a resource (FHIR_CASCADE_DELETE=off): delete or change them first', '_cascade'),
    ]);
  }
  const limit = context.settings.maxBundleEntries;
  return context.store.transaction(async (tx) => {
    const target = await tx.readCurrent(resourceType, id);
    if (!target) {
      throw notFound(`${resourceType}/${id} is not known`);
    }
    // Breadth first from the target; deleted in reverse, so that each goes after what refers to it.
    const found: ResourceRef[] = [];
    const seen = new Set([`${resourceType}/${id}`]);
    for (let i = -1; i < found.length; i++) {
      const of = i < 0 ? { resourceType, id } : found[i];
      for (const referrer of await tx.referrers(of, { limit: limit + 1, excludeTypes: recordTypes })) {
        const key = `${referrer.resourceType}/${referrer.id}`;
        if (!seen.has(key)) {
          seen.add(key);
          found.push(referrer);
        }
      }
      if (found.length > limit) {
        throw preconditionFailed(`Deleting ${resourceType}/${id} would delete more than ${limit} referring resources (FHIR_BUNDLE_MAX_ENTRIES): delete them in parts`);
      }
    }
    for (const referrer of [...found].reverse()) {
      await tx.delete(referrer.resourceType, referrer.id);
    }
    const result = await tx.delete(resourceType, id, { expectedVersionId });
    const also = found.length ? ` and, referring to it, ${found.map((r) => `${r.resourceType}/${r.id}`).join(', ')}` : '';
    const headers: Record<string, string> = result.version ? { ETag: etag(result.version.versionId) } : {};
    return {
      status: 200,
      headers,
      version: result.version,
      body: outcome(issue('informational', `Deleted ${resourceType}/${id}${also}`, undefined, 'information')),
    };
  });
}

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
