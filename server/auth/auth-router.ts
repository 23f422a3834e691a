// The authorization server's HTTP endpoints, mounted beside the FHIR API: discovery, JWKS, the
// authorization endpoint and its pages, token, introspection, revocation, EHR launch, break-the-glass,
// and the administrator's API. The pages get strict security headers (helmet); token responses are
// never cached (RFC 6749 section 5.1); login and token are rate-limited.
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import helmet from 'helmet';
import { randomBytes } from 'node:crypto';
import type { Caller } from '../fhir/pipeline/caller';
import { sendError } from '../http/render';
import { forbidden } from '../outcomes';
import { OAuthError, type AuthContext } from './auth-context';
import { adminRoutes } from './admin-api';
import { authorizeEndpoint, consentEndpoint, loginEndpoint } from './authorize';
import { callerFromAuthorization } from './bearer';
import { smartConfiguration } from './discovery';
import { introspect, revoke } from './introspection';
import { breakGlass, createLaunch } from './launch-and-break-glass';
import { authRateLimit, loginWindowMs } from './rate-limits';
import { tokenEndpoint } from './token-endpoint';

type Handler = (req: Request, res: Response) => Promise<void>;

/** Runs an async handler; OAuth errors become OAuth's JSON, FHIR errors an OperationOutcome. */
function handle(handler: Handler) {
  return (req: Request, res: Response, next: NextFunction): void => {
    handler(req, res).catch((err: unknown) => {
      if (err instanceof OAuthError) {
        res.status(err.status).set('Cache-Control', 'no-store').json({ error: err.error, error_description: err.description });
        return;
      }
      next(err);
    });
  };
}

function form(req: Request): URLSearchParams {
  return new URLSearchParams((req.body && typeof req.body === 'object' ? req.body : {}) as Record<string, string>);
}

/** The pages' headers: a CSP allowing only their nonce'd style and forms posting to us or to the app's redirect. */
const pageHeaders = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      styleSrc: [(_req, res) => `'nonce-${(res as Response).locals.cspNonce as string}'`],
      imgSrc: ["'self'"],
      // The app's redirect origin is added per page (authorize.ts, allowFormAction).
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
  },
  // Pages redirect to the app with the code; the app's origin must not learn our page's URL (the ticket).
  referrerPolicy: { policy: 'no-referrer' },
});

/** Every path the router answers is under one of these (matched without regard to case, as express routes are). */
const authPaths = /^\/(?:auth|\.well-known)(?:\/|$)/i;

/**
 * The authorization server's endpoints. A FHIR request passes them by with one test of its path, not
 * the router's walk past each of its routes (a few µs of the server's thread per request,
 * docs/performance.md, main7).
 */
export function authRouter(context: AuthContext): RequestHandler {
  const router = express.Router();
  routeAuthEndpoints(router, context);
  return (req, res, next) => (authPaths.test(req.path) ? router(req, res, next) : next());
}

function routeAuthEndpoints(router: Router, context: AuthContext): void {
  const urlencoded = express.urlencoded({ extended: false, limit: '64kb' });
  const json = express.json({ limit: '1mb', type: ['application/json', 'application/fhir+json'] });
  const loginLimit = authRateLimit(context.store, 'login', context.limits.login, loginWindowMs, { onlyFailures: true });
  const tokenLimit = authRateLimit(context.store, 'token', context.limits.token, 60_000);

  router.get('/.well-known/smart-configuration', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(smartConfiguration(context.baseUrl));
  });
  router.get('/auth/jwks', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=300').json(context.keys.jwks());
  });

  const pages = express.Router();
  pages.use((_req, res, next) => {
    res.locals.cspNonce = randomBytes(16).toString('base64');
    res.set('Cache-Control', 'no-store');
    next();
  });
  pages.use(pageHeaders);
  pages.get('/authorize', handle((req, res) => authorizeEndpoint(context, req, res)));
  pages.post('/authorize', urlencoded, handle((req, res) => authorizeEndpoint(context, req, res)));
  pages.post('/login', loginLimit, urlencoded, handle((req, res) => loginEndpoint(context, req, res)));
  pages.post('/consent', urlencoded, handle((req, res) => consentEndpoint(context, req, res)));
  router.use('/auth', pages);

  router.post(
    '/auth/token',
    tokenLimit,
    urlencoded,
    handle(async (req, res) => {
      const asked = form(req);
      const reported = { kind: 'token' as const, ...(asked.get('grant_type') ? { grantType: asked.get('grant_type') as string } : {}), ...(req.ip ? { sourceAddress: req.ip } : {}) };
      // Every token issued is reported where it is issued (with its grant), a refusal here.
      const body = await tokenEndpoint({ ...context, events: context.events && ((e) => context.events?.({ ...e, ...reported })) }, req.headers.authorization, asked).catch((err: unknown) => {
        context.events?.({ ...reported, success: false, reason: err instanceof OAuthError ? err.error : 'error', ...(asked.get('client_id') ? { clientId: asked.get('client_id') as string } : {}) });
        throw err;
      });
      res.status(200).set({ 'Cache-Control': 'no-store', Pragma: 'no-cache' }).json(body);
    })
  );
  router.post(
    '/auth/introspect',
    tokenLimit,
    urlencoded,
    handle(async (req, res) => {
      res.status(200).set('Cache-Control', 'no-store').json(await introspect(context, req.headers.authorization, form(req)));
    })
  );
  router.post(
    '/auth/revoke',
    tokenLimit,
    urlencoded,
    handle(async (req, res) => {
      await revoke(context, req.headers.authorization, form(req));
      res.status(200).set('Cache-Control', 'no-store').end();
    })
  );

  // Endpoints a signed-in user or administrator calls with their own access token.
  const withCaller = (work: (caller: Caller, req: Request, res: Response) => Promise<void>): Handler => {
    return async (req, res) => {
      const caller = await callerFromAuthorization(context.tokens, req.headers.authorization, req.ip, req.log);
      await work(caller, req, res);
    };
  };
  const body = (req: Request): Record<string, unknown> => (req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {});
  router.post(
    '/auth/launch',
    urlencoded,
    json,
    handle(withCaller(async (caller, req, res) => {
      res.status(201).set('Cache-Control', 'no-store').json(await createLaunch(context, caller, body(req)));
    }))
  );
  router.post(
    '/auth/break-glass',
    urlencoded,
    json,
    handle(withCaller(async (caller, req, res) => {
      res.status(200).set('Cache-Control', 'no-store').json(await breakGlass(context, context.resources, caller, body(req)));
    }))
  );
  router.use('/auth/admin', json, (req, res, next) => {
    callerFromAuthorization(context.tokens, req.headers.authorization, req.ip, req.log)
      .then((caller) => {
        if (!caller.roles.includes('administrator')) {
          throw forbidden('The admin API is for administrators');
        }
        next();
      })
      .catch(next);
  }, adminRoutes(context));
  // FHIR errors thrown above (401, 403, 400) are OperationOutcomes, like the FHIR API's.
  router.use('/auth', (err: unknown, req: Request, res: Response, _next: NextFunction) => {
    sendError(res, err, req.log);
  });
}
