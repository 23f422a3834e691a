// Finds the route for a FhirRequest and runs it: 404 for an unknown path or resource type, 405 (with
// Allow) for a known path and an unsupported method. The single entry point of the FHIR core.
import { methodNotAllowed, notFound } from '../outcomes';
import { capabilities } from './capabilities';
import type { FhirContext, FhirRequest, FhirResponse, RouteParams } from './request';
import { isResourceType } from './resource-definitions';
import { routes, type Route } from './routes';

const allRoutes: Route[] = [{ method: 'GET', pattern: ['metadata'], handler: capabilities }, ...routes];

export async function handleFhirRequest(request: FhirRequest, context: FhirContext): Promise<FhirResponse> {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const segments = request.path === '' ? [] : request.path.split('/');
  const shaped: { route: Route; params: RouteParams }[] = [];
  for (const route of allRoutes) {
    const params = matchPattern(route.pattern, segments);
    if (params) {
      shaped.push({ route, params });
    }
  }
  // 'metadata' has the shape of a type too: only real resource types count as one.
  const matching = shaped.filter(
    (m) =>
      (m.params.resourceType === undefined || isResourceType(m.params.resourceType)) &&
      (m.params.searchType === undefined || isResourceType(m.params.searchType))
  );
  if (!matching.length) {
    throw shaped.length
      ? notFound(`Unknown resource type '${shaped[0].params.resourceType}'`)
      : notFound(`No FHIR interaction at '${request.method} /${request.path}'`);
  }
  const chosen = matching.find((m) => m.route.method === method);
  if (!chosen) {
    const allow = [...new Set(matching.map((m) => m.route.method))];
    throw methodNotAllowed(`${request.method} is not supported on '/${request.path}'; use ${allow.join(', ')}`, allow);
  }
  return chosen.route.handler(request, chosen.params, context);
}

/** Literal segments must be equal; an :id or :vid never starts with '_' or '$' (those are keywords). */
function matchPattern(pattern: string[], segments: string[]): RouteParams | undefined {
  if (pattern.length !== segments.length) {
    return undefined;
  }
  const params: RouteParams = {};
  for (let i = 0; i < pattern.length; i++) {
    const part = pattern[i];
    const segment = segments[i];
    if (!part.startsWith(':')) {
      if (part !== segment) {
        return undefined;
      }
      continue;
    }
    if (segment === '' || segment.startsWith('_') || segment.startsWith('$')) {
      return undefined;
    }
    if (part === ':type') {
      params.resourceType = segment;
    } else if (part === ':id') {
      params.id = segment;
    } else if (part === ':searchType') {
      params.searchType = segment;
    } else {
      params.versionId = segment;
    }
  }
  return params;
}
