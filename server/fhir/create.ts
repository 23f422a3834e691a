// create: POST [base]/[type] (https://hl7.org/fhir/R4/http.html#create). The server assigns the id;
// an id in the body is ignored, as the spec says. With If-None-Exist it is a conditional create
// (http.html#ccreate): the search and the write share one transaction, so two racing requests for
// the same criteria create one resource.
import { preconditionFailed } from '../outcomes';
import type { ResourceVersion, StoreOperations } from '../store/port';
import { findMatches } from './conditional-match';
import { newResourceId } from './ids';
import { writeResponse } from './prefer';
import type { FhirContext, FhirRequest, FhirResponse, Interaction } from './request';
import { checkResourceWrite } from './validate-write';
import { versionHeaders } from './version-headers';

export const create: Interaction = async (request, { resourceType }, context) => {
  const type = resourceType as string;
  const { resource, index } = await checkResourceWrite(request.body, context, type);
  const criteria = request.headers['if-none-exist'];
  if (request.assignedId !== undefined || criteria === undefined) {
    const version = await context.store.create({ ...resource, id: request.assignedId ?? newResourceId() }, { index });
    return createdResponse(request, version, context);
  }
  return context.store.transaction(async (tx) => {
    const existing = await findExisting(tx, context, type, criteria);
    if (existing) {
      return existingResponse(request, existing, context);
    }
    return createdResponse(request, await tx.create({ ...resource, id: newResourceId() }, { index }), context);
  });
};

/** The resource an If-None-Exist names, if one matches; several are a 412. */
export async function findExisting(
  store: StoreOperations,
  context: FhirContext,
  resourceType: string,
  ifNoneExist: string
): Promise<ResourceVersion | undefined> {
  const matches = await findMatches(store, context, resourceType, criteriaOf(ifNoneExist), 2, 'If-None-Exist');
  if (matches.length > 1) {
    throw preconditionFailed(`If-None-Exist '${ifNoneExist}' matches more than one ${resourceType}: make the criteria more selective`);
  }
  return matches[0];
}

/** If-None-Exist holds a query string; some clients prefix it with '[type]?'. */
function criteriaOf(ifNoneExist: string): string {
  const question = ifNoneExist.indexOf('?');
  return question >= 0 ? ifNoneExist.slice(question + 1) : ifNoneExist;
}

function createdResponse(request: FhirRequest, version: ResourceVersion, context: FhirContext): FhirResponse {
  const headers = versionHeaders(version, context.baseUrl);
  const response = writeResponse(request, 201, version.resource!, headers, `Created ${version.resourceType}/${version.id}`);
  return { ...response, version };
}

/** A conditional create that found its resource: 200 with the existing one, nothing written. */
export function existingResponse(request: FhirRequest, version: ResourceVersion, context: FhirContext): FhirResponse {
  const headers = versionHeaders(version, context.baseUrl);
  const message = `${version.resourceType}/${version.id} matches If-None-Exist: nothing created`;
  return { ...writeResponse(request, 200, version.resource!, headers, message), version };
}
