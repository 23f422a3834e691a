// An in-process server on a private in-memory store, for supertest.
import { workflowRules } from '../../server/workflows/workflow-rules';
import type { Express } from 'express';
import pino, { type Logger } from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import { provenancePipeline } from '../../server/audit/provenance-rules';
import type { AuditBufferOptions } from '../../server/audit/audit-buffer';
import { authEventSink, openAuditTrail, withAudit, type AuditTrail } from '../../server/audit/audit-trail';
import type { Pipeline } from '../../server/fhir/pipeline/pipeline';
import type { CallerFromRequest } from '../../server/http/fhir-endpoint';
import { integrityRules } from '../../server/integrity/integrity-rules';
import { isResourceType, loadResourceDefinitions } from '../../server/fhir/resource-definitions';
import { parseSearch } from '../../server/search/parse-search';
import type { SearchPlan } from '../../server/search/plan';
import type { ContentOwnership } from '../../server/integrity/owned-content';
import { defaultLimits, type RequestLimits } from '../../server/config';
import type { ResourceIndexer, ResourceStore } from '../../server/store/port';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore, type EmbeddedStore } from '../../server/store/adapters';
import { administratorToken, testAuthServer } from './auth';

/** Building the registry costs about a second, so every test shares one. */
let sharedRegistry: SearchParameterRegistry | undefined;
export function testRegistry(): SearchParameterRegistry {
  sharedRegistry ??= new SearchParameterRegistry();
  return sharedRegistry;
}

/** A private in-memory store, indexed like the server's. */
export function memoryStore(indexer: ResourceIndexer = createResourceIndexer(testRegistry())): EmbeddedStore {
  return openSqliteStore({ file: ':memory:', synchronous: 'NORMAL', indexer });
}

/** A store on a file, indexed like the server's unless given another indexer. */
export function fileStore(file: string, synchronous: 'FULL' | 'NORMAL' = 'NORMAL', indexer: ResourceIndexer = createResourceIndexer(testRegistry())): EmbeddedStore {
  return openSqliteStore({ file, synchronous, indexer });
}

export const testBaseUrl = 'http://fhir.test';

/** The plan of a search query as the FHIR core parses it (terminology modifiers not yet resolved). */
export function testSearchPlan(resourceType: string, query: string, count = 20): SearchPlan {
  loadResourceDefinitions();
  return parseSearch(resourceType, new URLSearchParams(query), count, { registry: testRegistry(), baseUrl: testBaseUrl, isResourceType }).plan;
}

export interface TestServer {
  app: Express;
  store: ResourceStore;
  http: ReturnType<typeof supertest>;
  /** The audit trail, when the server was built with `audit`; its flush() writes what is buffered. */
  audit?: AuditTrail;
  close(): Promise<void>;
}

/** The configuration the in-process test server runs with, as the server's defaults have it. */
export const testConfig = {
  baseUrl: testBaseUrl,
  maxBodyBytes: 16 * 1024 * 1024,
  maxBundleEntries: 10_000,
  conditionalDeleteMultiple: false,
};

/**
 * The in-process server as `npm start` runs it: security on, every request of `http` carrying an
 * administrator's access token (test/helpers/auth.ts). `auth: false` is for the tests of what
 * FHIR_AUTH=off does, and nothing else.
 */
export function createTestServer(
  options: {
    auth?: boolean;
    store?: ResourceStore;
    maxBodyBytes?: number;
    registry?: SearchParameterRegistry;
    maxBundleEntries?: number;
    conditionalDeleteMultiple?: boolean;
    unknownProfile?: 'error' | 'warning';
    unknownExtension?: 'error' | 'warning';
    requiredProfiles?: ReadonlyMap<string, readonly string[]>;
    cascadeDelete?: boolean;
    /** Hooks and restrictions to run with; write rules are added to the integrity rules. */
    pipeline?: Partial<Pipeline>;
    /** What the content files own, for the owned-content rule. */
    ownership?: ContentOwnership;
    /** Who is calling; anonymous unless given. */
    identify?: CallerFromRequest;
    /**
     * The workflows' write rules (server/workflows), on unless false: only for tests that store resources
     * each in a world of stub targets (the profile examples), where an order's world does not exist.
     */
    workflows?: boolean;
    /** Integrity rules switched off by name, as FHIR_RULES_OFF does (for the tests of that setting). */
    rulesOff?: string[];
    /** Limits that differ from the defaults. */
    limits?: Partial<RequestLimits>;
    /** Where the server logs; silent unless given. */
    logger?: Logger;
    /** FHIR_PROVENANCE: a Provenance written with every client write (on unless given). */
    provenance?: boolean;
    /**
     * Record AuditEvents as FHIR_AUDIT=on does (off by default here: tests that count the system history
     * or search totals stay exact); the buffer's timing may be given.
     */
    audit?: boolean | Partial<AuditBufferOptions>;
  } = {}
): TestServer {
  const store = options.store ?? memoryStore();
  // The server's integrity rules are on in every test, as they are in the server.
  const off = new Set(options.rulesOff ?? []);
  const logger = options.logger ?? pino({ level: process.env.TEST_LOG ?? 'silent' });
  const audit = options.audit ? openAuditTrail(store, logger, options.audit === true ? {} : options.audit) : undefined;
  // Authors and Provenance are on as in the server (docs/audit.md); AuditEvents when the test asks.
  const provenance = provenancePipeline({ baseUrl: testBaseUrl, writeProvenance: options.provenance ?? true });
  const pipeline = withAudit(
    {
      ...options.pipeline,
      hooks: [...provenance.hooks, ...(options.pipeline?.hooks ?? [])],
      writeRules: [...integrityRules({ baseUrl: testBaseUrl, ownership: options.ownership, off }), ...(options.workflows === false ? [] : workflowRules), ...provenance.writeRules, ...(options.pipeline?.writeRules ?? [])],
    },
    audit,
    testBaseUrl
  );
  // A test that names its own callers (identify) runs without the authorization server unless it asks.
  const events = authEventSink(audit, testBaseUrl);
  const auth = options.auth === false || (options.auth === undefined && options.identify) ? undefined : testAuthServer(store, events ? { events } : {});
  const app = createApp({
    config: {
      baseUrl: testBaseUrl,
      maxBodyBytes: options.maxBodyBytes ?? testConfig.maxBodyBytes,
      maxBundleEntries: options.maxBundleEntries ?? testConfig.maxBundleEntries,
      conditionalDeleteMultiple: options.conditionalDeleteMultiple ?? testConfig.conditionalDeleteMultiple,
      unknownProfile: options.unknownProfile,
      unknownExtension: options.unknownExtension,
      requiredProfiles: options.requiredProfiles,
      cascadeDelete: options.cascadeDelete,
      limits: { ...defaultLimits, ...options.limits },
    },
    pipeline,
    identify: options.identify,
    store,
    registry: options.registry ?? testRegistry(),
    logger,
    ...(auth ? { auth } : {}),
  });
  const authorization = auth ? `Bearer ${administratorToken(auth)}` : undefined;
  if (authorization) {
    // For requests made without supertest (raw-request.ts).
    app.locals.testAuthorization = authorization;
  }
  const http = authorization ? supertest.agent(app).set('Authorization', authorization) : supertest(app);
  const close = async (): Promise<void> => {
    await audit?.close();
    await store.close();
  };
  return { app, store, http: http as ReturnType<typeof supertest>, ...(audit ? { audit } : {}), close };
}

export const fhirJson = 'application/fhir+json';
