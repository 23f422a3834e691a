// An in-process server on a private in-memory store, for supertest.
import type { Express } from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import type { ResourceStore } from '../../server/store/port';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store';
import { administratorToken, testAuthServer } from './auth';

/** Building the registry costs about a second, so every test shares one. */
let sharedRegistry: SearchParameterRegistry | undefined;
export function testRegistry(): SearchParameterRegistry {
  sharedRegistry ??= new SearchParameterRegistry();
  return sharedRegistry;
}

/** A private in-memory store, indexed like the server's. */
export function memoryStore(): SqliteStore {
  return new SqliteStore({ file: ':memory:', synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()) });
}

/** A store on a file, indexed like the server's. */
export function fileStore(file: string, synchronous: 'FULL' | 'NORMAL' = 'NORMAL'): SqliteStore {
  return new SqliteStore({ file, synchronous, indexer: createResourceIndexer(testRegistry()) });
}

export const testBaseUrl = 'http://fhir.test';

export interface TestServer {
  app: Express;
  store: ResourceStore;
  http: ReturnType<typeof supertest>;
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
    requiredProfiles?: ReadonlyMap<string, readonly string[]>;
  } = {}
): TestServer {
  const store = options.store ?? memoryStore();
  const auth = options.auth === false ? undefined : testAuthServer(store);
  const app = createApp({
    config: {
      baseUrl: testBaseUrl,
      maxBodyBytes: options.maxBodyBytes ?? testConfig.maxBodyBytes,
      maxBundleEntries: options.maxBundleEntries ?? testConfig.maxBundleEntries,
      conditionalDeleteMultiple: options.conditionalDeleteMultiple ?? testConfig.conditionalDeleteMultiple,
      unknownProfile: options.unknownProfile,
      requiredProfiles: options.requiredProfiles,
    },
    store,
    registry: options.registry ?? testRegistry(),
    logger: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    ...(auth ? { auth } : {}),
  });
  const http = auth ? supertest.agent(app).set('Authorization', `Bearer ${administratorToken(auth)}`) : supertest(app);
  return { app, store, http: http as ReturnType<typeof supertest>, close: () => store.close() };
}

export const fhirJson = 'application/fhir+json';
