// The request log: a request id for every request (the caller's X-Request-Id when it is a sane one, so
// that its logs and ours can be joined; otherwise a new one), sent back in X-Request-Id, on every line
// logged about the request (`req.log`), and one line when the response is done. Written here rather
// than with pino-http, which built two child loggers and serialized the request's headers at its start
// for every request, a tenth of a read by id's time on the server's thread (docs/performance.md,
// "Per-request CPU"): the child logger is built when a line is first logged through it, and the
// request is described once, on the closing line.
import { randomUUID } from 'node:crypto';
import type { Express, NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { redactHeaders, redactResponseHeaders, redactUrl } from './log-redaction';

declare module 'http' {
  interface IncomingMessage {
    /** The request's id, as sent back in X-Request-Id. */
    id: string;
    /** A logger whose lines carry the request's id. */
    log: Logger;
  }
}

const requestIdPattern = /^[A-Za-z0-9\-_.:]{1,128}$/;
/** The request's child logger, once built. */
const childLogger = Symbol('childLogger');
/** When the request arrived (ms since the epoch). */
const arrivedAt = Symbol('arrivedAt');

type LoggedRequest = Request & { [childLogger]?: Logger; [arrivedAt]: number };

/**
 * Installs the request log on `app`: `req.log` is a getter of express's request prototype for this app
 * (built once, not per request), and a middleware gives each request its id and its closing line.
 */
export function useRequestLog(app: Express, logger: Logger): void {
  Object.defineProperty(app.request, 'log', {
    configurable: true,
    get(this: LoggedRequest): Logger {
      this[childLogger] ??= logger.child({ requestId: this.id });
      return this[childLogger];
    },
  });
  app.use((req: Request, res: Response, next: NextFunction): void => {
    const given = req.headers['x-request-id'];
    const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
    req.id = id;
    res.setHeader('X-Request-Id', id);
    (req as LoggedRequest)[arrivedAt] = Date.now();
    let logged = false;
    const done = (): void => {
      if (!logged) {
        logged = true;
        logCompletion(logger, req as LoggedRequest, res);
      }
    };
    res.once('finish', done);
    res.once('close', done);
    next();
  });
}

/** One line per request, at its end: what was asked, the answer's status and headers, and how long it took. */
function logCompletion(logger: Logger, req: LoggedRequest, res: Response): void {
  const line = {
    requestId: req.id,
    // Tokens, passwords, secrets and identifier values never reach the log (log-redaction.ts).
    req: { id: req.id, method: req.method, url: redactUrl(req.originalUrl ?? req.url), headers: redactHeaders(req.headers), remoteAddress: req.socket?.remoteAddress },
    res: { statusCode: res.statusCode, headers: redactResponseHeaders(res.getHeaders()) },
    responseTime: Date.now() - req[arrivedAt],
  };
  if (res.statusCode >= 500) {
    logger.error(line, 'request errored');
  } else {
    logger.info(line, 'request completed');
  }
}
