// The app factory: an express app around the FHIR core, given an open store. Start-up (main.ts)
// and tests both build the server through this function; seeding is not done here.
import express, { type Express } from 'express';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import type { ServerConfig } from './config';
import { isResourceType } from './fhir/resource-definitions';
import { fhirEndpoint } from './http/fhir-endpoint';
import { sendError } from './http/render';
import type { SearchParameterRegistry } from './search/indexing/registry';
import type { ResourceStore } from './store/port';
import { createStoreTerminology } from './terminology/local-terminology';
import { invalidateTerminologyOnWrite } from './terminology/terminology-writes';

export interface AppDependencies {
  config: Pick<ServerConfig, 'maxBodyBytes' | 'maxBundleEntries' | 'conditionalDeleteMultiple'> & { baseUrl: string };
  store: ResourceStore;
  logger: Logger;
  /** The search parameters the server indexes and searches on. */
  registry: SearchParameterRegistry;
}

const requestIdPattern = /^[A-Za-z0-9\-_.:]{1,128}$/;

export function createApp({ config, store, logger, registry }: AppDependencies): Express {
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
    })
  );
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use(express.raw({ type: () => true, limit: config.maxBodyBytes }));
  const settings = { maxBundleEntries: config.maxBundleEntries, conditionalDeleteMultiple: config.conditionalDeleteMultiple };
  // The terminology reads the store's CodeSystems, ValueSets and ConceptMaps; writes of those through
  // the FHIR core invalidate what it cached.
  const terminology = createStoreTerminology(store, { registry, baseUrl: config.baseUrl, isResourceType });
  const observedStore = invalidateTerminologyOnWrite(store, terminology);
  app.use(fhirEndpoint({ store: observedStore, baseUrl: config.baseUrl, registry, settings, terminology }));
  // Errors raised before the endpoint runs (the body parser's) are rendered the same way.
  app.use((err: unknown, req: express.Request, res: express.Response, _next: express.NextFunction) => {
    sendError(res, err, req.log);
  });
  return app;
}
