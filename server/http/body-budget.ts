// Large request bodies processed at once, bounded. A Bundle's parsed form and the work done on it hold
// several times its bytes for as long as the request runs (about 140 MiB live for a 16 MiB transaction
// of 10,000 entries; docs/performance.md, "Memory"), and the server thread's heap limit (FHIR_HEAP_MB)
// is sized for two bodies of FHIR_MAX_BODY_MB at once. A large body that would pass that budget is
// refused with 503 and Retry-After before it is read, instead of risking the process: V8 ends a process
// whose live heap outgrows its limit.
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { serviceUnavailable } from '../outcomes';

/** How many bodies of the largest size the budget holds. */
const largestBodiesAtOnce = 2;
/** Bodies smaller than this share of the largest pass freely: 1 MiB by default (a 500-entry Bundle is about 0.55 MB). */
const largeShare = 1 / 16;

export function largeBodyBudget(maxBodyBytes: number): RequestHandler {
  const budget = largestBodiesAtOnce * maxBodyBytes;
  const large = maxBodyBytes * largeShare;
  let inFlight = 0;
  return (req: Request, res: Response, next: NextFunction): void => {
    const size = declaredSize(req, maxBodyBytes);
    if (size < large) {
      next();
      return;
    }
    // Larger than the limit: express.raw refuses it with 413 without holding it.
    const cost = Math.min(size, maxBodyBytes);
    // One body alone always fits: the heap limit is sized for it.
    if (inFlight > 0 && inFlight + cost > budget) {
      // The body is read and dropped, so that the answer reaches a client still sending it.
      req.resume();
      next(
        serviceUnavailable(
          `The server is processing other large requests (${(inFlight / 2 ** 20).toFixed(0)} MiB of bodies); send this one again shortly`,
          5
        )
      );
      return;
    }
    inFlight += cost;
    let released = false;
    const release = (): void => {
      if (!released) {
        released = true;
        inFlight -= cost;
      }
    };
    res.once('finish', release);
    res.once('close', release);
    next();
  };
}

/** Content-Length, or the largest size for a body sent in chunks (its length is known only once read). */
function declaredSize(req: Request, maxBodyBytes: number): number {
  const length = req.headers['content-length'];
  if (length !== undefined) {
    const bytes = Number(length);
    return Number.isFinite(bytes) ? bytes : maxBodyBytes;
  }
  return req.headers['transfer-encoding'] ? maxBodyBytes : 0;
}
