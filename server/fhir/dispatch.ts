// Finds the route for a FhirRequest and runs it through the pipeline: 404 for an unknown path or
// resource type, 405 (with Allow) for a known path and an unsupported method; then the hooks' `before`,
// the interaction on the caller's scoped store, and the hooks' `after`. The single entry point of the
// FHIR core, for requests and for every batch entry (transaction entries run the same steps in
// bundle/transaction.ts, around their planning).
import { methodNotAllowed, notFound, toFhirError } from '../outcomes';
import { capabilities } from './capabilities';
import { returnedResources, type EntryPosition, type HookCall, type HookResult } from './pipeline/hooks';
import { describeInteraction, type InteractionInfo } from './pipeline/interaction';
import { scopedContext, type ScopeOptions } from './pipeline/pipeline';
import type { FhirContext, FhirRequest, FhirResponse, RouteParams } from './request';
import { isResourceType } from './resource-definitions';
import { routes, type Route } from './routes';

/** Built on first use: the route table's modules import this one (the Bundle interactions dispatch entries). */
let allRoutes: Route[] | undefined;
function routeTable(): Route[] {
  allRoutes ??= [{ method: 'GET', pattern: ['metadata'], interaction: 'capabilities', handler: capabilities }, ...routes];
  return allRoutes;
}

/** A request's route, its path parameters, and the interaction it is. */
export interface MatchedRoute {
  route: Route;
  params: RouteParams;
  interaction: InteractionInfo;
}

export async function handleFhirRequest(request: FhirRequest, context: FhirContext, entry?: EntryPosition, scope: ScopeOptions = {}): Promise<FhirResponse> {
  const matched = matchRoute(request);
  const scoped = scopedContext(context, matched.interaction, scope);
  const call: HookCall = { request, interaction: matched.interaction, caller: request.caller, context: scoped, entry };
  return runHooked(call, () => matched.route.handler(request, matched.params, scoped));
}

/** Runs `work` between the hooks: `before` may refuse, `after` sees the outcome either way. */
export async function runHooked(call: HookCall, work: () => Promise<FhirResponse>): Promise<FhirResponse> {
  const hooks = call.context.pipeline.hooks;
  if (!hooks.length) {
    return work();
  }
  let response: FhirResponse | undefined;
  let failure: unknown;
  try {
    await runBefore(call);
    response = await work();
  } catch (err) {
    failure = err;
  }
  await runAfter(call, failure === undefined ? { response, resources: returnedResources(response) } : failed(failure));
  if (failure !== undefined) {
    throw failure;
  }
  return response as FhirResponse;
}

export async function runBefore(call: HookCall): Promise<void> {
  for (const hook of call.context.pipeline.hooks) {
    await hook.before?.(call);
  }
}

export async function runAfter(call: HookCall, result: HookResult): Promise<void> {
  for (const hook of call.context.pipeline.hooks) {
    await hook.after?.(call, result);
  }
}

/** The hook result of a request that failed with `err`. */
export function failed(err: unknown): HookResult {
  return { error: toFhirError(err).error, resources: [] };
}

export function matchRoute(request: FhirRequest): MatchedRoute {
  const method = request.method === 'HEAD' ? 'GET' : request.method;
  const segments = request.path === '' ? [] : request.path.split('/');
  const shaped: { route: Route; params: RouteParams }[] = [];
  for (const route of routeTable()) {
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
  const { route, params } = chosen;
  const code = typeof route.interaction === 'function' ? route.interaction(request) : route.interaction;
  const interaction = describeInteraction(code, params, route.operation?.name);
  if (route.conditional) {
    interaction.conditional = true;
  }
  return { route, params, interaction };
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
