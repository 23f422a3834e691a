// Start-up and shutdown of the server process, in order: configuration, logger, schema validator,
// store, the shipped terminology and profiles, listen, the FHIR core, the seed (on an empty store, unless
// FHIR_SEED=off), the app; on SIGTERM/SIGINT stop accepting, finish requests, close the store.
import { workflowRules } from './workflows/workflow-rules';
import http, { type Server } from 'node:http';
import path from 'node:path';
import { createApp } from './app';
import { authEventSink, serverAuditTrail, withAudit, type AuditTrail } from './audit/audit-trail';
import { scheduleAnchorFiles } from './audit/anchor-schedule';
import { provenancePipeline } from './audit/provenance-rules';
import type { AuthEventSink } from './auth/auth-events';
import { createAuthServer, type AuthServer } from './auth/auth-server';
import { withSecurity } from './auth/enforcement';
import { seedNetworkAccounts } from './auth/seed-accounts';
import { SigningKeyRing } from './auth/signing-keys';
import { ConfigError, loadConfig, type ServerConfig } from './config';
import { ContentError } from './content/content-loader';
import { loadShippedContent } from './content/shipped-content';
import { createFhirCore } from './fhir-core';
import { loadResourceDefinitions } from './fhir/resource-definitions';
import { restartWithMemorySettings } from './heap-limit';
import { createLimitedServer } from './http/connection-limits';
import { createLogger } from './logger';
import { SearchParameterRegistry } from './search/indexing/registry';
import { loadNetworkSearchParameters } from './search/network-search-parameters';
import { seedOnStartup } from './seed/startup-seed';
import { createResourceIndexer } from './search/indexing/resource-indexer';
import { openStore } from './store/open-store';
import type { ResourceStore } from './store/port';
import type { ContentOwnership } from './integrity/owned-content';
import { integrityRules, uniqueIdentifiersRule } from './integrity/integrity-rules';
import { issue, outcome } from './outcomes';
import { loadBaseSchema } from './validation/base-schema';

/** Answers while start-up work (the first start's seed) runs. */
function starting(req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
    res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ status: 'starting' }));
    return;
  }
  const body = outcome(issue('transient', 'The FHIR server is loading its seed data; retry shortly.'));
  res.writeHead(503, { 'Retry-After': '5', 'Content-Type': 'application/fhir+json; charset=utf-8' }).end(JSON.stringify(body));
}

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`Configuration error: ${err.message}. See the configuration table in README.md.`);
      process.exit(1);
    }
    throw err;
  }
  // The heap limit (FHIR_HEAP_MB) and malloc's settings: may start this process again with them, before anything opens.
  restartWithMemorySettings(config);
  const logger = createLogger(config.logLevel);
  loadResourceDefinitions();
  loadBaseSchema();
  const networkParameters = loadNetworkSearchParameters(config.profilesDir);
  const registry = new SearchParameterRegistry(networkParameters, { uniqueParameters: !config.rulesOff.has(uniqueIdentifiersRule) });
  for (const problem of registry.problems) {
    logger.warn(problem, 'a network SearchParameter could not be compiled and is not indexed');
  }
  let store: ResourceStore;
  try {
    store = await openStore(config, createResourceIndexer(registry));
  } catch (err) {
    // A MongoDB that cannot be reached fails here (after the driver's server selection timeout).
    logger.fatal({ store: config.store, reason: err instanceof Error ? err.message : String(err) }, 'cannot open the store; check FHIR_STORE and its settings');
    process.exit(1);
  }
  // Every interaction is recorded as an AuditEvent, buffered and written in batches (docs/audit.md).
  const audit = config.audit ? serverAuditTrail(config, store, logger) : undefined;
  // The files that own what they load: the API may not change those resources.
  let ownership: ContentOwnership;
  try {
    const shipped = await loadShippedContent(store, config);
    for (const { dir, result } of shipped.loaded) {
      logger.info({ dir, files: result.files, written: result.written }, 'content loaded');
    }
    ownership = shipped.ownership;
  } catch (err) {
    if (err instanceof ContentError) {
      logger.fatal(`cannot load the terminology or profiles: ${err.message}. Fix the file, or point FHIR_TERMINOLOGY_DIR / FHIR_PROFILES_DIR elsewhere.`);
      await store.close();
      process.exit(1);
    }
    throw err;
  }
  // Listen first, then build the core and the app: with PORT=0 the base URL needs the port the system
  // picked. Until the seed is loaded, /healthz answers 200 (the process serves: a liveness probe must
  // not kill it mid-seed), /readyz and every FHIR request 503 with Retry-After.
  // Idle keep-alive connections stay open longer than clients' pools keep them (Node's default of 5 s
  // is shorter than many), so a client never reuses a connection the server is closing at that moment.
  const server: Server = createLimitedServer(config, { keepAliveTimeout: 65_000, headersTimeout: 66_000 });
  server.on('request', starting);
  server.listen(config.port, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const baseUrl = config.baseUrl ?? `http://localhost:${port}`;
    serve({ ...config, baseUrl }, store, registry, ownership, logger, audit)
      .then((app) => {
        server.off('request', starting);
        server.on('request', app);
        // The database, never MONGODB_URL: a connection string may hold a password.
        logger.info({ port, baseUrl, store: config.store, db: config.store === 'mongo' ? config.mongoDatabase : config.sqliteFile }, 'FHIR server listening');
      })
      .catch((err: unknown) => {
        logger.fatal({ err }, 'cannot load the seed data; set FHIR_SEED=off to start without it');
        process.exit(1);
      });
  });
  server.on('error', (err) => {
    logger.fatal({ err }, `cannot listen on port ${config.port}; set PORT to a free port`);
    process.exit(1);
  });

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      return;
    }
    stopping = true;
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      (audit?.close() ?? Promise.resolve())
        .then(() => store.close())
        .then(() => process.exit(0))
        .catch((err: unknown) => {
          logger.error({ err }, 'error while closing the store');
          process.exit(1);
        });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/** The FHIR core, seeded when the configuration asks for it, and the app around it. */
async function serve(
  config: ServerConfig & { baseUrl: string },
  store: ResourceStore,
  registry: SearchParameterRegistry,
  ownership: ContentOwnership,
  logger: ReturnType<typeof createLogger>,
  audit: AuditTrail | undefined
): Promise<ReturnType<typeof createApp>> {
  // Authors and Provenance (docs/audit.md): the X-Provenance hook, the claims rule, a Provenance per write;
  // then the AuditEvents of every interaction and the rule that keeps them unchanged.
  const provenance = provenancePipeline({ baseUrl: config.baseUrl, writeProvenance: config.provenance });
  const { writeRules = [], hooks = [] } = withAudit(
    { writeRules: [...integrityRules({ baseUrl: config.baseUrl, ownership, off: config.rulesOff }), ...workflowRules, ...provenance.writeRules], hooks: provenance.hooks },
    audit,
    config.baseUrl
  );
  if (config.rulesOff.size) {
    logger.warn({ rulesOff: [...config.rulesOff] }, 'integrity rules switched off by FHIR_RULES_OFF');
  }
  // With security on, the policy runs in the core's pipeline too; the seed runs as the server itself.
  // The signing keys sign access tokens and the history anchors (docs/audit.md), with security off too.
  const keys = SigningKeyRing.open(config.authKeysFile);
  const core = createFhirCore({ config, store, registry, pipeline: config.auth ? withSecurity({ writeRules, hooks }) : { writeRules, hooks }, signingKeys: keys });
  // The validating read thread loads its validator before the first request, as this thread did above.
  await core.warmUp();
  if (config.seed) {
    await seedOnStartup(core, logger, { patients: config.seedPatients, seedValue: config.seedValue });
  }
  const auth = await startAuth(config, store, keys, logger, authEventSink(audit, config.baseUrl));
  if (config.anchorMinutes > 0) {
    // Stopped by the process's exit: the timer never keeps it alive.
    scheduleAnchorFiles({ store, keys, issuer: config.baseUrl, dir: path.join(config.dataDir, 'anchors'), minutes: config.anchorMinutes, logger });
  }
  return createApp({ config, store, logger, registry, core, ...(auth ? { auth } : {}) });
}

/** The authorization server, with its keys and (on a store without users) the network's accounts; undefined with FHIR_AUTH=off. */
async function startAuth(
  config: ServerConfig & { baseUrl: string },
  store: ResourceStore,
  keys: SigningKeyRing,
  logger: ReturnType<typeof createLogger>,
  events: AuthEventSink | undefined
): Promise<AuthServer | undefined> {
  if (!config.auth) {
    logger.warn(
      '!!! SECURITY IS OFF (FHIR_AUTH=off): every request is served without a token, to anyone who can reach this port. ' +
        'Use this only for local experiments, never with real data. !!!'
    );
    return undefined;
  }
  const authStore = store.authStore();
  logger.info({ file: config.authKeysFile, kid: keys.current().kid }, 'signing keys loaded');
  await seedNetworkAccounts(authStore, store, { dataDir: config.dataDir, seedValue: config.seedValue, patients: config.seedPatients }, logger);
  await authStore.purgeExpired(Date.now());
  return createAuthServer({
    store: authStore,
    resources: store,
    keys,
    baseUrl: config.baseUrl,
    logger,
    limits: { login: config.authLoginLimit, token: config.authTokenLimit, accountLogin: config.authAccountLoginLimit },
    ...(events ? { events } : {}),
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
