// The token endpoint: authorization_code (PKCE S256), refresh_token (rotating, revocable) and
// client_credentials (SMART Backend Services). Errors are OAuth's JSON errors (RFC 6749 section 5.2).
// https://hl7.org/fhir/smart-app-launch/app-launch.html#obtain-access-token
// https://hl7.org/fhir/smart-app-launch/backend-services.html
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { ClientRecord, RefreshTokenRecord } from '../store/auth-port';
import type { Grant } from './access-tokens';
import { clientGrant, OAuthError, userGrant, type AuthContext } from './auth-context';
import { hashCode } from './authorize';
import { authenticateClient } from './client-authentication';
import { narrowScopes, parseResourceScope, splitScopes } from './scopes';

/** An offline_access refresh token lives 90 days; an online_access one 12 hours (the sign-in's day). */
const offlineSeconds = 90 * 24 * 3600;
const onlineSeconds = 12 * 3600;

export type TokenResponse = Record<string, string | number | boolean>;

export async function tokenEndpoint(context: AuthContext, authorization: string | undefined, form: URLSearchParams): Promise<TokenResponse> {
  const client = await authenticateClient(context, authorization, form);
  switch (form.get('grant_type')) {
    case 'authorization_code':
      return exchangeCode(context, client, form);
    case 'refresh_token':
      return refresh(context, client, form);
    case 'client_credentials':
      return clientCredentials(context, client, form);
    default:
      throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code, refresh_token or client_credentials');
  }
}

async function exchangeCode(context: AuthContext, client: ClientRecord, form: URLSearchParams): Promise<TokenResponse> {
  const code = form.get('code');
  const record = code ? await context.store.takeCode(hashCode(code), Date.now()) : undefined;
  if (!record || record.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'The code is unknown, expired, already used, or was issued to another client');
  }
  if (form.get('redirect_uri') !== record.redirectUri) {
    throw new OAuthError('invalid_grant', 'redirect_uri differs from the one the code was issued for');
  }
  if (record.codeChallenge) {
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== record.codeChallenge) {
      throw new OAuthError('invalid_grant', 'PKCE: the code_verifier is missing or does not match the code_challenge');
    }
  }
  const user = await context.store.getUser(record.account);
  if (!user) {
    throw new OAuthError('invalid_grant', 'The account no longer exists');
  }
  const scopes = splitScopes(record.scope);
  const grant = userGrant(user, client, scopes, { ...(record.patient ? { patient: record.patient } : {}), ...(record.encounter ? { encounter: record.encounter } : {}) });
  const response = issue(context, grant);
  // SMART: the banner is the app's job when it chose the patient itself (standalone), not inside the EHR.
  if (record.patient) {
    response.need_patient_banner = !scopes.includes('launch');
  }
  if (scopes.includes('openid') && scopes.includes('fhirUser')) {
    response.id_token = context.tokens.issueIdToken(grant, record.nonce);
  }
  const refreshKind = scopes.includes('offline_access') ? 'offline' : scopes.includes('online_access') ? 'online' : undefined;
  if (refreshKind) {
    response.refresh_token = await saveRefreshToken(context, grant, randomUUID(), Date.now() + (refreshKind === 'offline' ? offlineSeconds : onlineSeconds) * 1000);
  }
  return response;
}

async function refresh(context: AuthContext, client: ClientRecord, form: URLSearchParams): Promise<TokenResponse> {
  const token = form.get('refresh_token') ?? '';
  const asked = form.get('scope');
  // A refresh never widens the grant (RFC 6749 section 6); asking to is refused before the token is used up.
  const current = await context.store.peekRefreshToken(hashRefreshToken(token), Date.now());
  if (current && asked && narrowScopes(splitScopes(asked), splitScopes(current.scope)).length !== splitScopes(asked).length) {
    throw new OAuthError('invalid_scope', 'A refresh may only ask for scopes already granted');
  }
  const use = await context.store.useRefreshToken(hashRefreshToken(token), Date.now());
  if (use.status === 'reused') {
    context.logger.warn({ clientId: use.record.clientId }, 'a rotated refresh token was presented again; its family is revoked');
  }
  if (use.status !== 'valid' || use.record.clientId !== client.clientId) {
    throw new OAuthError('invalid_grant', 'The refresh token is unknown, expired, revoked or already used');
  }
  const granted = splitScopes(use.record.scope);
  const scopes = asked ? splitScopes(asked) : granted;
  if (narrowScopes(scopes, granted).length !== scopes.length) {
    throw new OAuthError('invalid_scope', 'A refresh may only ask for scopes already granted');
  }
  const user = use.record.account ? await context.store.getUser(use.record.account) : undefined;
  if (!user) {
    throw new OAuthError('invalid_grant', 'The account no longer exists');
  }
  const grant = userGrant(user, client, scopes, { ...(use.record.patient ? { patient: use.record.patient } : {}), ...(use.record.encounter ? { encounter: use.record.encounter } : {}) });
  const response = issue(context, grant);
  if (use.record.patient) {
    response.need_patient_banner = !scopes.includes('launch');
  }
  // Rotation: a new token of the same family and lifetime; the one presented is used up.
  response.refresh_token = await saveRefreshToken(context, grant, use.record.familyId, use.record.expiresAt);
  return response;
}

async function clientCredentials(context: AuthContext, client: ClientRecord, form: URLSearchParams): Promise<TokenResponse> {
  if (client.type === 'public') {
    throw new OAuthError('unauthorized_client', 'client_credentials needs an authenticated (confidential) client');
  }
  const requested = splitScopes(form.get('scope') ?? undefined).filter((s) => parseResourceScope(s)?.level === 'system');
  const scopes = narrowScopes(requested, client.scopes);
  if (scopes.length === 0) {
    throw new OAuthError('invalid_scope', 'Ask for system/ scopes this client is registered for');
  }
  return issue(context, clientGrant(client, scopes));
}

function issue(context: AuthContext, grant: Grant): TokenResponse {
  const { token, expiresIn } = context.tokens.issue(grant);
  context.events?.({ kind: 'token', success: true, clientId: grant.clientId, ...(grant.account ? { account: grant.account } : {}), ...(grant.fhirUser ? { user: grant.fhirUser } : {}) });
  return {
    access_token: token,
    token_type: 'Bearer',
    expires_in: expiresIn,
    scope: grant.scopes.join(' '),
    ...(grant.patient ? { patient: grant.patient } : {}),
    ...(grant.encounter ? { encounter: grant.encounter } : {}),
  };
}

async function saveRefreshToken(context: AuthContext, grant: Grant, familyId: string, expiresAt: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  const record: RefreshTokenRecord = {
    tokenHash: hashRefreshToken(token),
    familyId,
    clientId: grant.clientId,
    ...(grant.account ? { account: grant.account } : {}),
    scope: grant.scopes.join(' '),
    ...(grant.patient ? { patient: grant.patient } : {}),
    ...(grant.encounter ? { encounter: grant.encounter } : {}),
    expiresAt,
  };
  await context.store.saveRefreshToken(record);
  return token;
}

export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(`refresh:${token}`).digest('base64url');
}
