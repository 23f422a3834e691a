// The checks every write passes before it reaches the store: a JSON object of the URL's resource type,
// the id rule, and the base R4 JSON schema (failures are 400 with the element path in `expression`);
// then the validator: the profiles it claims or the network requires, or else its type's base definition
// (failures are 422, one issue per problem; warnings do not stop a write); and the size of one stored
// resource (413).
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { badRequest, invalidResource, isErrorIssue, payloadTooLarge, shown, unprocessable } from '../outcomes';
import type { PlannedIndex } from '../search/indexing/planned-extraction';
import { validateBaseSchema } from '../validation/base-schema';
import { isValidId } from './ids';
import type { FhirContext } from './request';

/** `schemaIssues`: the base schema's issues for this body, when they were found already (off the writer's thread). */
export function validateWrite(body: unknown, urlType: string, urlId?: string, schemaIssues?: OperationOutcomeIssue[]): Resource {
  if (body === undefined) {
    throw badRequest(`The request needs a ${urlType} resource as its JSON body`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw badRequest('The request body must be a JSON object (a FHIR resource)');
  }
  const resource = body as Partial<Resource>;
  if (resource.resourceType !== urlType) {
    throw badRequest(
      `The body's resourceType '${shown(resource.resourceType)}' does not match the URL's type '${urlType}'`,
      'resourceType'
    );
  }
  if (urlId !== undefined) {
    if (!isValidId(urlId)) {
      throw badRequest(`'${urlId}' is not a valid id: use 1 to 64 of A-Z a-z 0-9 - .`, `${urlType}.id`);
    }
    if (resource.id === undefined) {
      throw badRequest(`An update must carry the id '${urlId}' in the body, as in the URL`, `${urlType}.id`);
    }
    if (resource.id !== urlId) {
      throw badRequest(`The body's id '${shown(resource.id)}' does not match the URL's id '${urlId}'`, `${urlType}.id`);
    }
  }
  const issues = schemaIssues ?? validateBaseSchema(body);
  if (issues.length) {
    throw invalidResource(issues);
  }
  return body as Resource;
}

/** A write that passed its checks. */
export interface CheckedWrite {
  resource: Resource;
  /** The validator's warnings. */
  issues: OperationOutcomeIssue[];
  /** Its index entries extracted with the thread's verdict, for the store to take (CreateOptions.index). */
  index?: PlannedIndex;
}

/**
 * What a write answers before it reaches the store: the resource with the validator's warnings, or the
 * FhirError refusing it (400 from validateWrite, 422 from the validator). $validate with mode=create or
 * update answers with the same function, so the two cannot disagree.
 */
export async function checkResourceWrite(
  body: unknown,
  context: FhirContext,
  urlType: string,
  urlId?: string
): Promise<CheckedWrite> {
  const text = isObject(body) ? JSON.stringify(body) : undefined;
  // A verdict reached on a store thread for this very text (server/validation/prevalidated-writes.ts).
  const verdict = text === undefined ? undefined : await context.prevalidated?.verdictFor(text);
  const resource = validateWrite(body, urlType, urlId, verdict?.schemaIssues);
  checkResourceSize(text as string, resource.resourceType, context.settings.limits.resourceBytes);
  const issues = verdict ? verdict.issues : await context.validator.writeIssues(resource);
  if (issues.some(isErrorIssue)) {
    throw unprocessable(issues);
  }
  return { resource, issues, ...(verdict?.index ? { index: verdict.index } : {}) };
}

/** One stored resource is bounded, apart from the body limit that a large transaction needs. */
function checkResourceSize(text: string, resourceType: string, maxBytes: number): void {
  const bytes = Buffer.byteLength(text);
  if (bytes > maxBytes) {
    throw payloadTooLarge(
      `The ${resourceType} is ${bytes} bytes of JSON; the largest resource stored is ${maxBytes} bytes (FHIR_MAX_RESOURCE_MB)`
    );
  }
}

function isObject(body: unknown): body is object {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
