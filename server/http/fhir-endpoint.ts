// The express adapter of the FHIR core: turns an HTTP request into a FhirRequest (checking Accept,
// Content-Type and the JSON body on the way) and the FhirResponse back into HTTP.
import type { NextFunction, Request, Response } from 'express';
import type { FhirCore } from '../fhir-core';
import { anonymousCaller, type Caller } from '../fhir/pipeline/caller';
import type { FhirRequest } from '../fhir/request';
import { bodyKind, checkAcceptable } from './content-negotiation';
import { decodeUtf8, parseJsonBody } from './json-body';
import { sendError, sendFhirResponse } from './render';

/**
 * Who is calling, from the HTTP request (a token, once security is on); may refuse with a FhirError
 * (401). `reading` is the store's commit reading taken as the request arrived (FhirCore.commitReading).
 */
export type CallerFromRequest = (req: Request, reading?: number) => Caller | Promise<Caller>;

/** While security is off: every caller is anonymous, known by its address. */
export const anonymousHttpCaller: CallerFromRequest = (req) => anonymousCaller(req.socket.remoteAddress);

export interface EndpointOptions {
  /** Who is calling; anonymous (by address) unless given. */
  identify?: CallerFromRequest;
  /** The deepest nesting a JSON body may have (RequestLimits.jsonDepth). */
  maxJsonDepth: number;
}

export function fhirEndpoint(core: FhirCore, { identify = anonymousHttpCaller, maxJsonDepth }: EndpointOptions) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const pretty = query.get('_pretty') === 'true';
    try {
      // One reading for the request's two checks of what others committed (its token's revocation, the
      // watched types' change marker), each skipped while nothing was committed since its last answer.
      const reading = core.commitReading();
      checkAcceptable(req.headers.accept, query.get('_format'));
      const request: FhirRequest = {
        method: req.method.toUpperCase(),
        path: req.path.replace(/^\/+|\/+$/g, ''),
        query,
        headers: req.headers as Record<string, string | undefined>,
        caller: await identify(req, reading),
      };
      readBody(req, request, maxJsonDepth);
      const response = await core.handle(request, req.log, reading);
      sendFhirResponse(res, response, pretty);
    } catch (err) {
      sendError(res, err, req.log, pretty);
    }
  };
}

/** A JSON body becomes request.body; a form body of POST _search adds its parameters to the query. */
function readBody(req: Request, request: FhirRequest, maxJsonDepth: number): void {
  const raw = req.body as unknown;
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    return;
  }
  const isSearch = request.method === 'POST' && request.path.endsWith('_search');
  const kind = bodyKind(req.headers['content-type'], isSearch ? 'form' : request.method === 'PATCH' ? 'json-patch' : 'json');
  // The bytes are not needed once read: a Bundle of FHIR_MAX_BODY_MB would otherwise stay referenced by
  // the request until its answer is sent, beside its parsed form.
  req.body = undefined;
  const text = decodeUtf8(raw);
  if (kind === 'form') {
    for (const [name, value] of new URLSearchParams(text)) {
      request.query.append(name, value);
    }
    return;
  }
  request.body = parseJsonBody(text, maxJsonDepth);
}
