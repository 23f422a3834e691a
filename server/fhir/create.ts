// create: POST [base]/[type] (https://hl7.org/fhir/R4/http.html#create). The server assigns the id;
// an id in the body is ignored, as the spec says.
import { newResourceId } from './ids';
import { writeResponse } from './prefer';
import type { Interaction } from './request';
import { validateWrite } from './validate-write';
import { versionHeaders } from './version-headers';

export const create: Interaction = async (request, { resourceType }, context) => {
  const resource = validateWrite(request.body, resourceType as string);
  const version = await context.store.create({ ...resource, id: newResourceId() });
  const headers = versionHeaders(version, context.baseUrl);
  return writeResponse(request, 201, version.resource!, headers, `Created ${resourceType}/${version.id}`);
};
