// An in-process server on a private in-memory store, for supertest.
import type { Express } from 'express';
import pino from 'pino';
import supertest from 'supertest';
import { createApp } from '../../server/app';
import type { ResourceStore } from '../../server/store/port';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store';

export const testBaseUrl = 'http://fhir.test';

export interface TestServer {
  app: Express;
  store: ResourceStore;
  http: ReturnType<typeof supertest>;
  close(): Promise<void>;
}

export function createTestServer(options: { store?: ResourceStore; maxBodyBytes?: number } = {}): TestServer {
  const store = options.store ?? new SqliteStore({ file: ':memory:', synchronous: 'NORMAL' });
  const app = createApp({
    config: { baseUrl: testBaseUrl, maxBodyBytes: options.maxBodyBytes ?? 16 * 1024 * 1024 },
    store,
    logger: pino({ level: 'silent' }),
  });
  return { app, store, http: supertest(app), close: () => store.close() };
}

export const fhirJson = 'application/fhir+json';
