// create: POST [base]/[type] (https://hl7.org/fhir/R4/http.html#create). The server assigns the id;
// an id in the body is ignored, as the spec says. With If-None-Exist it is a conditional create
// (http.html#ccreate): the search and the write share one transaction, so two racing requests for
// the same criteria create one resource.
import { preconditionFailed } from '../outcomes';
import type { ResourceVersion } from '../store/port';
import { findMatches } from './conditional-match';
import { newResourceId } from './ids';
import { writeResponse } from './prefer';
import type { FhirContext, FhirRequest, FhirResponse, Interaction } from './request';
import { validateWrite } from './validate-write';
import { versionHeaders } from './version-headers';

export const create: Interaction = async (request, { resourceType }, context) => {
  const type = resourceType as string;
  const resource = validateWrite(request.body, type);
  const criteria = request.headers['if-none-exist'];
  if (request.assignedId !== undefined || criteria === undefined) {
    const version = await context.store.create({ ...resource, id: request.assignedId ?? newResourceId() });
    return createdResponse(request, version, context);
  }
  return context.store.transaction(async (tx) => {
    const matches = await findMatches(tx, context, type, criteriaOf(criteria), 2, 'If-None-Exist');
    if (matches.length > 1) {
      throw preconditionFailed(`If-None-Exist '${criteria}' matches more than one ${type}: make the criteria more selective`);
    }
    if (matches.length === 1) {
      return existingResponse(request, matches[0], context);
    }
    return createdResponse(request, await tx.create({ ...resource, id: newResourceId() }), context);
  });
};

/** If-None-Exist holds a query string; some clients prefix it with '[type]?'. */
export function criteriaOf(ifNoneExist: string): string {
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
