// Writes FHIR responses and errors: every error, from any layer (body parsing included), becomes an
// OperationOutcome here. Server bugs are logged with their stack; the process keeps serving.
import type { Response } from 'express';
import type { Logger } from 'pino';
import type { FhirResponse } from '../fhir/request';
import { FhirError, payloadTooLarge, toFhirError, badRequest, unsupportedMediaType } from '../outcomes';
import { stringifyKeepingNumbers } from '../json/number-text';
import { fhirJson } from './content-negotiation';

export function sendFhirResponse(res: Response, response: FhirResponse, pretty: boolean): void {
  res.status(response.status);
  for (const [name, value] of Object.entries(response.headers ?? {})) {
    res.setHeader(name, value);
  }
  if (response.body === undefined) {
    res.end();
    return;
  }
  res.setHeader('Content-Type', `${fhirJson}; charset=utf-8`);
  if (pretty) {
    res.end(stringifyKeepingNumbers(response.body, 2));
  } else {
    res.end(response.serialized === undefined ? stringifyKeepingNumbers(response.body) : utf8Body(response.serialized));
  }
}

/**
 * A body serialized in parts (a search page: stored-text.ts, serializeWithStoredTexts) as one UTF-8
 * Buffer, each part encoded alone: never joined into one string, which V8 would flatten into one large
 * object to encode it.
 */
function utf8Body(serialized: string | readonly string[]): string | Buffer {
  return typeof serialized === 'string' ? serialized : Buffer.concat(serialized.map((part) => Buffer.from(part, 'utf8')));
}

export function sendError(res: Response, err: unknown, logger: Logger, pretty = false): void {
  const { error, isServerBug } = toFhirError(fromBodyParser(err));
  if (isServerBug) {
    logger.error({ err }, 'request failed with a server error');
  } else {
    logger.debug({ status: error.status, issues: error.outcome.issue }, 'request refused');
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  sendFhirResponse(res, { status: error.status, headers: error.headers, body: error.outcome }, pretty);
}

/** body-parser's errors carry a `type` or a 4xx `status`; they are the client's, not ours. */
function fromBodyParser(err: unknown): unknown {
  if (err instanceof FhirError || typeof err !== 'object' || err === null || !('type' in err || 'status' in err)) {
    return err;
  }
  const { type, limit, status } = err as { type: string; limit?: number; status?: number };
  switch (type) {
    case 'entity.too.large':
      return payloadTooLarge(`The request body is larger than the server's limit of ${limit} bytes (FHIR_MAX_BODY_MB)`);
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return unsupportedMediaType('The request body must be UTF-8');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'entity.verify.failed':
      return badRequest('The request body was incomplete or malformed');
    default:
      // Other errors of reading the body (a Content-Encoding the body does not match: zlib's data errors)
      // carry a 4xx status of their own.
      return typeof status === 'number' && status >= 400 && status < 500 ? badRequest('The request body could not be read as its Content-Encoding says') : err;
  }
}
