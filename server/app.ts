// The app factory: an express app around the FHIR core, given an open store. Start-up (main.ts)
// and tests both build the server through this function; seeding is not done here.
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { AuthServer } from './auth/auth-server';
import { createFhirCore, type CoreConfig, type FhirCore } from './fhir-core';
import { fhirEndpoint } from './http/fhir-endpoint';
import { redactHeaders, redactUrl } from './http/log-redaction';
import { sendError } from './http/render';
import type { SearchParameterRegistry } from './search/indexing/registry';
import type { ResourceStore } from './store/port';

export interface AppDependencies {
  config: CoreConfig & { maxBodyBytes: number };
  store: ResourceStore;
  logger: Logger;
  /** The search parameters the server indexes and searches on. */
  registry: SearchParameterRegistry;
  /** A core built beforehand (start-up seeds through it); otherwise one is built from the above. */
  core?: FhirCore;
  /** The authorization server; absent only when security is off (FHIR_AUTH=off). */
  auth?: AuthServer;
}

const requestIdPattern = /^[A-Za-z0-9\-_.:]{1,128}$/;

export function createApp({ config, store, logger, registry, core, auth }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    pinoHttp({
      logger,
      // A caller's X-Request-Id is kept so that its logs and ours can be joined; otherwise a new one.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && requestIdPattern.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customAttributeKeys: { reqId: 'requestId' },
      // Lines logged while handling a request carry just its requestId, not the whole request.
      quietReqLogger: true,
      // Tokens, passwords, secrets and identifier values never reach the log (log-redaction.ts).
      serializers: {
        req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.url),
          headers: redactHeaders(req.headers),
          remoteAddress: req.remoteAddress,
        }),
      },
    })
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  if (auth) {
    app.use(auth.cors);
    app.use(auth.router);
    app.use(requireCaller(auth));
  }
  app.use(express.raw({ type: () => true, limit: config.maxBodyBytes }));
  app.use(fhirEndpoint(core ?? createFhirCore({ config, store, registry })));
  // Errors raised before the endpoint runs (the body parser's) are rendered the same way.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendError(res, err, req.log);
  });
  return app;
}

/**
 * Every FHIR request but the CapabilityStatement needs a valid access token (401 otherwise); the
 * caller is kept in res.locals.caller. Responses carrying patient data are never cached.
 */
function requireCaller(auth: AuthServer): express.RequestHandler {
  return (req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && /^\/metadata\/?$/.test(req.path)) {
      next();
      return;
    }
    auth
      .authenticate(req)
      .then((caller) => {
        res.locals.caller = caller;
        res.set('Cache-Control', 'no-store');
        next();
      })
      .catch((err: unknown) => sendError(res, err, req.log));
  };
}
