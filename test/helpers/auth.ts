// Security for HTTP tests: an app with the authorization server on (as `npm start` runs it), and
// access tokens for any caller, signed by the test key ring. Tests below HTTP need none of this.
import type { Resource } from '@medplum/fhirtypes';
import type { Express } from 'express';
import { createHash, randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import supertest from 'supertest';
import type { Grant } from '../../server/auth/access-tokens';
import { registerClient, registerUser } from '../../server/auth/accounts';
import { patientRecord } from '../../seed/patients/patient-record';
import type { AuthLimits } from '../../server/auth/auth-context';
import type { AuthEventSink } from '../../server/auth/auth-events';
import { createAuthServer, type AuthServer } from '../../server/auth/auth-server';
import { SigningKeyRing, generateKey, type SigningKey } from '../../server/auth/signing-keys';
import { createApp } from '../../server/app';
import type { AuthStore } from '../../server/store/auth-port';
import type { ResourceStore } from '../../server/store/port';
import { memoryStore, testBaseUrl, testConfig, testRegistry } from './test-server';
// (test-server.ts imports this file too; both only use each other's functions at run time.)

/** One RSA key for all tests: generating one costs tens of milliseconds. */
let sharedKey: SigningKey | undefined;
export function testKeyRing(): SigningKeyRing {
  sharedKey ??= generateKey();
  return SigningKeyRing.inMemory([sharedKey]);
}

/** The authorization server of an in-process test app, on the store's auth state and the test key ring. */
export function testAuthServer(
  store: ResourceStore,
  options: { logger?: Logger; limits?: AuthLimits; fetchJwks?: (url: string) => Promise<{ keys: Record<string, unknown>[] }>; events?: AuthEventSink } = {}
): AuthServer {
  const authStore = store.authStore();
  return createAuthServer({
    store: authStore,
    resources: store,
    keys: testKeyRing(),
    baseUrl: testBaseUrl,
    logger: options.logger ?? pino({ level: 'silent' }),
    limits: options.limits ?? { login: 1000, token: 10_000, accountLogin: 1000 },
    ...(options.fetchJwks ? { fetchJwks: options.fetchJwks } : {}),
    ...(options.events ? { events: options.events } : {}),
  });
}

/** An administrator's token: sees and writes everything, as the tests written before security expect. */
export function administratorToken(auth: AuthServer, grant: Partial<Grant> = {}): string {
  return auth.context.tokens.issue({ kind: 'user', clientId: 'test-client', account: 'admin', fhirUser: 'Practitioner/admin', roles: ['administrator'], organizations: [], scopes: ['user/*.cruds'], ...grant }).token;
}

export interface AuthTestServer {
  app: Express;
  store: ResourceStore;
  authStore: AuthStore;
  auth: AuthServer;
  http: ReturnType<typeof supertest>;
  /** An access token for the grant (defaults: an administrator with user/*.cruds). */
  token(grant?: Partial<Grant>): string;
  close(): Promise<void>;
}

export function createAuthTestServer(options: { store?: ResourceStore; logger?: Logger; limits?: AuthLimits; fetchJwks?: (url: string) => Promise<{ keys: Record<string, unknown>[] }> } = {}): AuthTestServer {
  const store = options.store ?? memoryStore();
  const authStore = store.authStore();
  const logger = options.logger ?? pino({ level: 'silent' });
  const auth = testAuthServer(store, options);
  const app = createApp({ config: testConfig, store, registry: testRegistry(), logger, auth });
  return {
    app,
    store,
    authStore,
    auth,
    http: supertest(app),
    token: (grant = {}) => administratorToken(auth, grant),
    close: () => store.close(),
  };
}

/** A PKCE pair (RFC 7636, S256). */
export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** The first `count` generated patients of the network, with their records, stored directly. */
export async function loadGeneratedPatients(store: ResourceStore, count: number): Promise<Resource[][]> {
  const records: Resource[][] = [];
  for (let i = 0; i < count; i++) {
    const record = patientRecord(i, 20261123);
    records.push(record);
    for (const resource of record) {
      await store.update(resource);
    }
  }
  return records;
}

export const appRedirect = 'https://app.example/callback';
export const testPassword = 'correct horse battery staple';

/** The accounts and apps the flow tests use. */
export async function registerFlowFixtures(store: AuthStore, clinic: string): Promise<{ confidentialSecret: string }> {
  await registerUser(store, { account: 'dr-li', displayName: '李医生', password: testPassword, fhirUser: 'PractitionerRole/role-test', roles: ['clinician'], organizations: [clinic] });
  await registerUser(store, { account: 'pat-0', displayName: '患者', password: testPassword, fhirUser: 'Patient/pat-0', roles: ['patient'] });
  await registerClient(store, {
    clientId: 'public-app',
    name: '慢病管理 App',
    type: 'public',
    redirectUris: [appRedirect],
    scopes: ['openid', 'fhirUser', 'launch', 'launch/patient', 'offline_access', 'online_access', 'patient/*.rs', 'patient/Observation.cruds', 'user/*.rs'],
  });
  const { secret } = await registerClient(store, {
    clientId: 'confidential-app',
    name: 'EMR 插件',
    type: 'confidential-symmetric',
    redirectUris: ['https://emr.example/cb'],
    scopes: ['launch', 'user/*.cruds', 'patient/*.rs', 'offline_access'],
  });
  return { confidentialSecret: secret as string };
}

/** The hidden ticket of an authorization page. */
export function ticketOf(html: string): string {
  const match = /name="ticket" value="([^"]+)"/.exec(html);
  if (!match) {
    throw new Error(`no ticket in the page: ${html.slice(0, 500)}`);
  }
  return match[1];
}

/**
 * The public test app's whole code flow for `account` (registerFlowFixtures): the authorize page,
 * sign-in, approval and the code exchange. Returns the token response and what a log must not hold.
 */
export async function publicAppTokens(
  http: ReturnType<typeof supertest>,
  account: string,
  scope: string,
  state = 's'
): Promise<{ body: Record<string, string>; code: string; verifier: string }> {
  const { verifier, challenge } = pkce();
  const page = await http.get('/auth/authorize').query({
    response_type: 'code', client_id: 'public-app', redirect_uri: appRedirect, scope, state, aud: testBaseUrl, code_challenge: challenge, code_challenge_method: 'S256',
  });
  const consent = await http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: account, password: testPassword });
  const redirect = await http.post('/auth/consent').type('form').send({ ticket: ticketOf(consent.text), decision: 'approve' });
  const code = new URL(redirect.headers.location as string).searchParams.get('code') as string;
  const tokens = await http.post('/auth/token').type('form').send({ grant_type: 'authorization_code', client_id: 'public-app', code, code_verifier: verifier, redirect_uri: appRedirect });
  if (tokens.status !== 200) {
    throw new Error(`the code flow failed: ${tokens.status} ${tokens.text}`);
  }
  return { body: tokens.body as Record<string, string>, code, verifier };
}
