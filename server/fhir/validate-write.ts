// The checks every write passes before it reaches the store: a JSON object of the URL's resource type,
// the id rule, and the base R4 JSON schema (failures are 400 with the element path in `expression`);
// then the profiles it claims, or the network requires (failures are 422, one issue per problem).
import type { Resource } from '@medplum/fhirtypes';
import { badRequest, invalidResource, payloadTooLarge, shown } from '../outcomes';
import { validateBaseSchema } from '../validation/base-schema';
import { isValidId } from './ids';
import type { FhirContext } from './request';

export function validateWrite(body: unknown, urlType: string, urlId?: string): Resource {
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
  const issues = validateBaseSchema(body);
  if (issues.length) {
    throw invalidResource(issues);
  }
  return body as Resource;
}

/** validateWrite, then profile validation: what create, update and patch run before they store. */
export async function validateResourceWrite(body: unknown, context: FhirContext, urlType: string, urlId?: string): Promise<Resource> {
  const resource = validateWrite(body, urlType, urlId);
  checkResourceSize(resource, context.settings.limits.resourceBytes);
  await context.validator.checkWrite(resource);
  return resource;
}

/** One stored resource is bounded, apart from the body limit that a large transaction needs. */
function checkResourceSize(resource: Resource, maxBytes: number): void {
  const bytes = Buffer.byteLength(JSON.stringify(resource));
  if (bytes > maxBytes) {
    throw payloadTooLarge(
      `The ${resource.resourceType} is ${bytes} bytes of JSON; the largest resource stored is ${maxBytes} bytes (FHIR_MAX_RESOURCE_MB)`
    );
  }
}
