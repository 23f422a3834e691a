// The app factory: an express app around the FHIR core, given an open store. Start-up (main.ts)
// and tests both build the server through this function; seeding is not done here.
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import type { AuthServer } from './auth/auth-server';
import { withSecurity } from './auth/enforcement';
import { defaultLimits } from './config';
import { createFhirCore, type CoreConfig, type FhirCore } from './fhir-core';
import type { Pipeline } from './fhir/pipeline/pipeline';
import { largeBodyBudget } from './http/body-budget';
import { fhirEndpoint, type CallerFromRequest } from './http/fhir-endpoint';
import { sendError } from './http/render';
import { useRequestLog } from './http/request-log';
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
  /** Hooks, write rules and restrictions of the core built here (ignored when `core` is given). */
  pipeline?: Partial<Pipeline>;
  /** Who is calling; anonymous (by address) unless given, or the bearer token's caller with `auth`. */
  identify?: CallerFromRequest;
  /**
   * The authorization server; absent only when security is off (FHIR_AUTH=off). With it, every FHIR
   * request but /metadata needs a valid token, and a core built here enforces the policy.
   */
  auth?: AuthServer;
}

export function createApp({ config, store, logger, registry, core, pipeline, identify, auth }: AppDependencies): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  useRequestLog(app, logger);
  // Liveness and readiness: an app exists once start-up work is done, so both answer 200 here (main.ts
  // answers them while it is still starting).
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', (_req, res) => {
    res.json({ status: 'ready' });
  });
  if (auth) {
    app.use(auth.cors);
    app.use(auth.router);
  }
  app.use(largeBodyBudget(config.maxBodyBytes));
  app.use(express.raw({ type: () => true, limit: config.maxBodyBytes }));
  const corePipeline = auth ? withSecurity(pipeline) : pipeline;
  const coreConfig = auth ? { ...config, auth: true } : config;
  app.use(
    fhirEndpoint(core ?? createFhirCore({ config: coreConfig, store, registry, pipeline: corePipeline, signingKeys: auth?.context.keys }), {
      identify: identify ?? auth?.identify,
      maxJsonDepth: (config.limits ?? defaultLimits).jsonDepth,
    })
  );
  // Errors raised before the endpoint runs (the body parser's) are rendered the same way.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendError(res, err, req.log);
  });
  return app;
}

