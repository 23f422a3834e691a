// The express adapter of the FHIR core: turns an HTTP request into a FhirRequest (checking Accept,
// Content-Type and the JSON body on the way) and the FhirResponse back into HTTP.
import type { NextFunction, Request, Response } from 'express';
import type { FhirCore } from '../fhir-core';
import type { FhirRequest } from '../fhir/request';
import { bodyKind, checkAcceptable } from './content-negotiation';
import { decodeUtf8, parseJsonBody } from './json-body';
import { sendError, sendFhirResponse } from './render';

/** `maxJsonDepth`: the deepest nesting a JSON body may have (RequestLimits.jsonDepth). */
export function fhirEndpoint(core: FhirCore, maxJsonDepth: number) {
  return async (req: Request, res: Response, _next: NextFunction): Promise<void> => {
    const query = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
    const pretty = query.get('_pretty') === 'true';
    try {
      checkAcceptable(req.headers.accept, query.get('_format'));
      const request: FhirRequest = {
        method: req.method.toUpperCase(),
        path: req.path.replace(/^\/+|\/+$/g, ''),
        query,
        headers: req.headers as Record<string, string | undefined>,
      };
      readBody(req, request, maxJsonDepth);
      const response = await core.handle(request, req.log);
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
  const text = decodeUtf8(raw);
  if (kind === 'form') {
    for (const [name, value] of new URLSearchParams(text)) {
      request.query.append(name, value);
    }
    return;
  }
  request.body = parseJsonBody(text, maxJsonDepth);
}
