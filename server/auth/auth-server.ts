// The authorization server, assembled: its context, its routes, CORS for the registered apps' origins,
// and the authentication of FHIR requests. app.ts mounts it; main.ts and the tests build it.
import cors from 'cors';
import type { Request, RequestHandler } from 'express';
import type { Logger } from 'pino';
import { anonymousCaller, type Caller } from '../fhir/pipeline/caller';
import type { AuthStore } from '../store/auth-port';
import type { StoreOperations } from '../store/port';
import { AccessTokens } from './access-tokens';
import type { AuthContext, AuthLimits } from './auth-context';
import type { AuthEventSink } from './auth-events';
import { authRouter } from './auth-router';
import { callerFromAuthorization } from './bearer';
import { AccountLoginLimit } from './rate-limits';
import type { SigningKeyRing } from './signing-keys';

export interface AuthServerOptions {
  store: AuthStore;
  resources: StoreOperations;
  keys: SigningKeyRing;
  baseUrl: string;
  logger: Logger;
  limits: AuthLimits;
  fetchJwks?: AuthContext['fetchJwks'];
  events?: AuthEventSink;
}

export interface AuthServer {
  context: AuthContext;
  router: RequestHandler;
  /** CORS for the origins of the registered apps' redirect URIs; preflights answered. */
  cors: RequestHandler;
  /** The caller of a FHIR request; a FhirError 401 when its token is missing or not valid. */
  authenticate(req: Request): Promise<Caller>;
  /**
   * The FHIR endpoint's CallerFromRequest: the token's caller, or anonymous for the CapabilityStatement
   * asked without a token (SMART clients read it before they have one). Patient data is never cached.
   */
  identify(req: Request, reading?: number): Promise<Caller>;
}

/** Registered origins are read again at most this often, so a newly registered app works within seconds. */
const originsCacheMs = 5000;

export function createAuthServer(options: AuthServerOptions): AuthServer {
  const context: AuthContext = {
    store: options.store,
    resources: options.resources,
    keys: options.keys,
    tokens: new AccessTokens(options.keys, options.store, options.baseUrl, options.baseUrl),
    baseUrl: options.baseUrl,
    logger: options.logger,
    limits: options.limits,
    accountLogins: new AccountLoginLimit(options.store, options.limits.accountLogin),
    fetchJwks: options.fetchJwks ?? fetchJwks,
    ...(options.events ? { events: options.events } : {}),
  };
  // A FHIR request refused for its token is reported (the refusal itself is the 401 thrown).
  const bearer = (req: Request, reading?: number): Promise<Caller> =>
    callerFromAuthorization(context.tokens, req.headers.authorization, req.ip, req.log, reading).catch((err: unknown) => {
      context.events?.({ kind: 'bearer', success: false, reason: req.headers.authorization ? 'invalid_token' : 'no_token', ...(req.ip ? { sourceAddress: req.ip } : {}) });
      throw err;
    });
  let origins: { set: Set<string>; at: number } | undefined;
  const registeredOrigins = async (): Promise<Set<string>> => {
    if (!origins || Date.now() - origins.at > originsCacheMs) {
      const clients = await options.store.listClients();
      origins = { set: new Set(clients.flatMap((c) => c.redirectUris.map((u) => new URL(u).origin))), at: Date.now() };
    }
    return origins.set;
  };
  const corsHandler = cors({
    origin: (origin, callback) => {
      if (!origin) {
        callback(null, false);
        return;
      }
      registeredOrigins().then((set) => callback(null, set.has(origin)), (err: unknown) => callback(err as Error));
    },
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match', 'If-None-Exist', 'If-Modified-Since', 'Prefer', 'X-Request-Id'],
    exposedHeaders: ['Location', 'ETag', 'Last-Modified', 'Content-Location', 'X-Request-Id', 'WWW-Authenticate'],
    maxAge: 600,
  });
  return {
    context,
    router: authRouter(context),
    // Without an Origin header (every request but a browser's cross-origin one) the cors middleware does
    // nothing: its origin check answers false and it calls next() without setting a header. It is not
    // run then, saving its option copies on every request.
    cors: (req, res, next) => (req.headers.origin === undefined ? next() : corsHandler(req, res, next)),
    authenticate: bearer,
    identify: async (req, reading) => {
      if (!req.headers.authorization && (req.method === 'GET' || req.method === 'HEAD') && /^\/metadata\/?$/.test(req.path)) {
        return anonymousCaller(req.ip);
      }
      const caller = await bearer(req, reading);
      req.res?.setHeader('Cache-Control', 'no-store');
      return caller;
    },
  };
}

async function fetchJwks(url: string): Promise<{ keys: Record<string, unknown>[] }> {
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(5000) });
  if (!response.ok) {
    throw new Error(`${url} answered ${response.status}`);
  }
  const body = (await response.json()) as { keys?: unknown };
  if (!Array.isArray(body.keys)) {
    throw new Error(`${url} is not a JWK Set`);
  }
  return body as { keys: Record<string, unknown>[] };
}
