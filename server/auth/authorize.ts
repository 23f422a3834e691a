// The authorization endpoint (GET and POST) and its pages: validate the request, sign the user in,
// bind the patient (EHR launch, the user's own record, or a patient picker), ask for consent, and
// redirect back with a code. https://hl7.org/fhir/smart-app-launch/app-launch.html#obtain-authorization-code
import { createHash, randomBytes } from 'node:crypto';
import type { Request, Response } from 'express';
import type { ClientRecord, UserRecord } from '../store/auth-port';
import { userGrant, type AuthContext } from './auth-context';
import { consentPage, describeScope, errorPage, loginPage, type ConsentPatient } from './pages';
import { verifySecret } from './passwords';
import { callerFromGrant } from './policy/caller-from-token';
import { isVisible, visiblePatients } from './policy/visibility';
import { contextScopes, narrowScopes, parseResourceScope, splitScopes } from './scopes';
import { readTicket, signTicket, type AuthorizationTicket } from './tickets';

/** Authorization codes live one minute (RFC 6749 section 4.1.2 recommends at most ten). */
const codeSeconds = 60;
const pkceChallenge = /^[A-Za-z0-9\-._~]{43,128}$/;

/** The request's parameters: the query of a GET, the form of a POST (authorize-post). */
function params(req: Request): URLSearchParams {
  if (req.method === 'POST' && req.body && typeof req.body === 'object') {
    return new URLSearchParams(req.body as Record<string, string>);
  }
  return new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
}

/**
 * The page's CSP lets its form post to us and, since the consent form's answer is a redirect to the app
 * (browsers apply form-action to redirects), to the app's registered redirect origin.
 */
function allowFormAction(res: Response, origin: string): void {
  const csp = res.getHeader('Content-Security-Policy');
  if (typeof csp === 'string') {
    res.setHeader('Content-Security-Policy', csp.replace("form-action 'self'", `form-action 'self' ${origin}`));
  }
}

function nonce(res: Response): string {
  return res.locals.cspNonce as string;
}

/** Redirects to the client with an error (only once the redirect URI is known to be the client's). */
function redirectError(res: Response, redirectUri: string, state: string | null, error: string, description: string): void {
  const url = new URL(redirectUri);
  url.searchParams.set('error', error);
  url.searchParams.set('error_description', description);
  if (state) {
    url.searchParams.set('state', state);
  }
  res.redirect(302, url.toString());
}

export async function authorizeEndpoint(context: AuthContext, req: Request, res: Response): Promise<void> {
  const query = params(req);
  const clientId = query.get('client_id') ?? '';
  const redirectUri = query.get('redirect_uri') ?? '';
  const client = clientId ? await context.store.getClient(clientId) : undefined;
  // Until the client and its redirect URI are known, never redirect (RFC 6749 section 4.1.2.1).
  if (!client) {
    res.status(400).type('html').send(errorPage('未知的应用 · Unknown client_id', { nonce: nonce(res) }));
    return;
  }
  if (!client.redirectUris.includes(redirectUri)) {
    res.status(400).type('html').send(errorPage('redirect_uri 与登记的不一致 · The redirect_uri is not one registered for this app', { nonce: nonce(res) }));
    return;
  }
  allowFormAction(res, new URL(redirectUri).origin);
  const state = query.get('state');
  const fail = (error: string, description: string): void => redirectError(res, redirectUri, state, error, description);
  if (query.get('response_type') !== 'code') {
    return fail('unsupported_response_type', 'response_type must be code');
  }
  if (!state) {
    return fail('invalid_request', 'state is required');
  }
  if ((query.get('aud') ?? '').replace(/\/+$/, '') !== context.baseUrl) {
    return fail('invalid_request', `aud must be this FHIR server's base URL, ${context.baseUrl}`);
  }
  const challenge = query.get('code_challenge') ?? undefined;
  const method = query.get('code_challenge_method');
  if (challenge !== undefined && (method !== 'S256' || !pkceChallenge.test(challenge))) {
    return fail('invalid_request', 'PKCE: code_challenge_method must be S256, with a base64url code_challenge');
  }
  if (challenge === undefined && client.type === 'public') {
    return fail('invalid_request', 'PKCE (code_challenge with S256) is required of public clients');
  }
  const requested = splitScopes(query.get('scope') ?? undefined);
  const scopes = narrowScopes(requested, client.scopes).filter((s) => parseResourceScope(s) || (contextScopes as readonly string[]).includes(s));
  if (!scopes.some((s) => parseResourceScope(s))) {
    return fail('invalid_scope', 'None of the requested resource scopes is allowed for this app');
  }
  const ticket: AuthorizationTicket = { clientId, redirectUri, scopes, state, ...(challenge ? { codeChallenge: challenge } : {}) };
  const nonceParam = query.get('nonce');
  if (nonceParam) {
    ticket.nonce = nonceParam;
  }
  if (scopes.includes('launch')) {
    const launch = await context.store.getLaunch(query.get('launch') ?? '', Date.now());
    if (!launch) {
      return fail('invalid_request', 'The launch value is missing, unknown or expired');
    }
    ticket.launch = { patient: launch.patient, account: launch.account, ...(launch.encounter ? { encounter: launch.encounter } : {}) };
  }
  res.status(200).type('html').send(loginPage({ ticket: signTicket(context.keys, ticket), clientName: client.name }, { nonce: nonce(res) }));
}

/**
 * The login form's POST: a wrong password shows the form again and counts toward the limits per address
 * and per account; an account over its limit is refused (429) until its window ends, whatever the password.
 */
export async function loginEndpoint(context: AuthContext, req: Request, res: Response): Promise<void> {
  const form = req.body as Record<string, string>;
  const ticket = readTicket(context.keys, form.ticket);
  const client = ticket ? await context.store.getClient(ticket.clientId) : undefined;
  if (!ticket || !client) {
    res.status(400).type('html').send(errorPage('授权请求已过期，请从应用重新开始 · The authorization request expired; start again from the app', { nonce: nonce(res) }));
    return;
  }
  allowFormAction(res, new URL(ticket.redirectUri).origin);
  const account = String(form.username ?? '');
  const wait = await context.accountLogins.attempt(account);
  if (wait !== undefined) {
    const minutes = Math.ceil(wait / 60);
    res
      .status(429)
      .set('Retry-After', String(wait))
      .type('html')
      .send(loginPage({ ticket: form.ticket, clientName: client.name, account, error: `该账号登录失败次数过多，请 ${minutes} 分钟后再试 · Too many failed sign-ins for this account; try again in ${minutes} min` }, { nonce: nonce(res) }));
    return;
  }
  const user = await context.store.getUser(account);
  const signedIn = !!user && (await verifySecret(String(form.password ?? ''), user.passwordHash));
  context.events?.({ kind: 'login', success: signedIn, ...(account ? { account } : {}), ...(signedIn && user?.fhirUser ? { user: user.fhirUser } : {}), clientId: client.clientId, ...(signedIn ? {} : { reason: 'invalid_credentials' }), ...(req.ip ? { sourceAddress: req.ip } : {}) });
  if (!user || !signedIn) {
    res
      .status(401)
      .type('html')
      .send(loginPage({ ticket: form.ticket, clientName: client.name, account, error: '账号或密码不正确 · Wrong account or password' }, { nonce: nonce(res) }));
    return;
  }
  await context.accountLogins.succeeded(account);
  if (ticket.launch && ticket.launch.account !== user.account) {
    redirectError(res, ticket.redirectUri, ticket.state, 'access_denied', 'The EHR launch was made by another user');
    return;
  }
  await showConsent(context, res, { ...ticket, account: user.account }, client, user, '');
}

/** The consent form's POST: search (the patient picker), approve or deny. */
export async function consentEndpoint(context: AuthContext, req: Request, res: Response): Promise<void> {
  const form = req.body as Record<string, string>;
  const ticket = readTicket(context.keys, form.ticket);
  const client = ticket ? await context.store.getClient(ticket.clientId) : undefined;
  const user = ticket?.account ? await context.store.getUser(ticket.account) : undefined;
  if (!ticket || !client || !user) {
    res.status(400).type('html').send(errorPage('授权请求已过期，请从应用重新开始 · The authorization request expired; start again from the app', { nonce: nonce(res) }));
    return;
  }
  allowFormAction(res, new URL(ticket.redirectUri).origin);
  if (form.decision === 'deny') {
    redirectError(res, ticket.redirectUri, ticket.state, 'access_denied', 'The user denied access');
    return;
  }
  if (form.decision !== 'approve') {
    await showConsent(context, res, ticket, client, user, String(form.q ?? ''));
    return;
  }
  const bound = await boundPatient(context, ticket, user);
  let patient = bound?.id;
  if (!patient && ticket.scopes.includes('launch/patient')) {
    const chosen = String(form.patient ?? '');
    if (!chosen || !(await isVisible(context.resources, pickerCaller(user, client), 'Patient', chosen))) {
      await showConsent(context, res, ticket, client, user, String(form.q ?? ''), '请选择一位您可以查看的患者 · Choose a patient you may see');
      return;
    }
    patient = chosen;
  }
  const code = randomBytes(32).toString('base64url');
  await context.store.saveCode({
    codeHash: hashCode(code),
    clientId: client.clientId,
    account: user.account,
    redirectUri: ticket.redirectUri,
    scope: ticket.scopes.join(' '),
    ...(ticket.codeChallenge ? { codeChallenge: ticket.codeChallenge } : {}),
    ...(patient ? { patient } : {}),
    ...(ticket.launch?.encounter ? { encounter: ticket.launch.encounter } : {}),
    ...(ticket.nonce ? { nonce: ticket.nonce } : {}),
    expiresAt: Date.now() + codeSeconds * 1000,
  });
  const url = new URL(ticket.redirectUri);
  url.searchParams.set('code', code);
  url.searchParams.set('state', ticket.state);
  res.redirect(302, url.toString());
}

export function hashCode(code: string): string {
  return createHash('sha256').update(code).digest('base64url');
}

/** The patient the context already binds: the EHR launch's, or the signed-in patient's own record. */
async function boundPatient(context: AuthContext, ticket: AuthorizationTicket, user: UserRecord): Promise<ConsentPatient | undefined> {
  const id = ticket.launch?.patient ?? (user.fhirUser.startsWith('Patient/') ? user.fhirUser.slice('Patient/'.length) : user.patients.length === 1 ? user.patients[0].replace(/^Patient\//, '') : undefined);
  if (!id) {
    return undefined;
  }
  const page = await context.resources.search({ resourceType: 'Patient', filters: [{ kind: 'id', ids: [id] }], sort: [], count: 1, total: 'none', include: [], revInclude: [] });
  const name = (page.resources[0]?.resource as { name?: { text?: string }[] } | undefined)?.name?.[0]?.text;
  const found = page.resources[0] ? { id, label: name ?? `Patient/${id}` } : undefined;
  return found ?? { id, label: `Patient/${id}` };
}

async function showConsent(context: AuthContext, res: Response, ticket: AuthorizationTicket, client: ClientRecord, user: UserRecord, query: string, error?: string): Promise<void> {
  const patient = await boundPatient(context, ticket, user);
  const needsPicker = !patient && ticket.scopes.includes('launch/patient');
  const picker = needsPicker
    ? { query, candidates: await visiblePatients(context.resources, pickerCaller(user, client), query, 20) }
    : undefined;
  res
    .status(200)
    .type('html')
    .send(
      consentPage(
        {
          ticket: signTicket(context.keys, ticket),
          clientName: client.name,
          userName: user.displayName,
          scopes: ticket.scopes.map((scope) => ({ scope, text: describeScope(scope) })),
          ...(patient ? { patient } : {}),
          ...(picker ? { picker } : {}),
          ...(error ? { error } : {}),
        },
        { nonce: nonce(res) }
      )
    );
}

/** Whom the patient picker shows: the patients the user's roles let them see, whatever the app asked for. */
function pickerCaller(user: UserRecord, client: ClientRecord): ReturnType<typeof callerFromGrant> {
  return callerFromGrant(userGrant(user, client, ['user/Patient.rs'], {}));
}
