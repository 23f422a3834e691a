// update: PUT [base]/[type]/[id] (https://hl7.org/fhir/R4/http.html#update). A client-chosen id that
// does not exist yet is created (update as create). If-Match is checked inside the store's transaction.
// Conditional update, PUT [base]/[type]?criteria (http.html#cond-update), finds the id by search first.
import type { Resource } from '@medplum/fhirtypes';
import { badRequest, preconditionFailed } from '../outcomes';
import { joinTransaction } from '../store/joined-transaction';
import type { StoreOperations } from '../store/port';
import { findMatches } from './conditional-match';
import { newResourceId } from './ids';
import { writeResponse } from './prefer';
import type { FhirContext, Interaction } from './request';
import { checkResourceWrite } from './validate-write';
import { parseIfMatch, versionHeaders } from './version-headers';

export const update: Interaction = async (request, { resourceType, id }, context) => {
  const { resource, index } = await checkResourceWrite(request.body, context, resourceType as string, id);
  const expectedVersionId = parseIfMatch(request.headers['if-match']);
  const { version, outcome } = await context.store.update(resource, { expectedVersionId, index });
  const created = outcome === 'created';
  const headers = versionHeaders(version, created ? context.baseUrl : undefined);
  const message =
    outcome === 'unchanged'
      ? `${resourceType}/${id} is unchanged: no new version written`
      : `${created ? 'Created' : 'Updated'} ${resourceType}/${id} (version ${version.versionId})`;
  return { ...writeResponse(request, created ? 201 : 200, version.resource!, headers, message), version };
};

export const conditionalUpdate: Interaction = async (request, { resourceType }, context) => {
  const type = resourceType as string;
  const criteria = request.query.toString();
  return context.store.transaction(async (tx) => {
    const id = await conditionalUpdateId(tx, context, type, criteria, request.body);
    return update({ ...request, path: `${type}/${id}`, body: withId(request.body, id) }, { resourceType: type, id }, { ...context, store: joinTransaction(tx) });
  });
};

/**
 * The id a conditional update writes to, by the spec's rules: no match creates (with the body's id,
 * or a new one), one match updates it (a different id in the body is an error), several are 412.
 */
export async function conditionalUpdateId(
  store: StoreOperations,
  context: FhirContext,
  resourceType: string,
  criteria: string,
  body: unknown
): Promise<string> {
  const bodyId = isObject(body) && typeof body.id === 'string' ? body.id : undefined;
  const matches = await findMatches(store, context, resourceType, criteria, 2, 'Conditional update');
  if (matches.length > 1) {
    throw preconditionFailed(`Conditional update '${resourceType}?${criteria}' matches more than one resource: make the criteria more selective`);
  }
  if (matches.length === 1) {
    if (bodyId !== undefined && bodyId !== matches[0].id) {
      throw badRequest(
        `Conditional update '${resourceType}?${criteria}' matches ${resourceType}/${matches[0].id}, but the body's id is '${bodyId}'`,
        `${resourceType}.id`
      );
    }
    return matches[0].id;
  }
  return bodyId ?? newResourceId();
}

/** The body with the id a conditional update resolved to (anything else is left for validation to refuse). */
export function withId(body: unknown, id: string): unknown {
  return isObject(body) ? { ...body, id } : body;
}

function isObject(value: unknown): value is Partial<Resource> & Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
