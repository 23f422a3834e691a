// Token introspection (RFC 7662) and revocation (RFC 7009).
import type { ClientRecord } from '../store/auth-port';
import { InvalidTokenError, type AccessTokenClaims } from './access-tokens';
import { OAuthError, type AuthContext } from './auth-context';
import { authenticateClient } from './client-authentication';
import { hashRefreshToken } from './token-endpoint';

/**
 * Who may introspect: a confidential client (a resource server, an app checking its own token) or an
 * administrator's bearer token. A public client may not, since anyone can claim its client_id.
 */
async function introspector(context: AuthContext, authorization: string | undefined, form: URLSearchParams): Promise<void> {
  if (authorization?.startsWith('Bearer ')) {
    const claims = await context.tokens.verify(authorization.slice('Bearer '.length)).catch(() => undefined);
    if (claims?.roles.includes('administrator')) {
      return;
    }
    throw new OAuthError('invalid_client', 'Introspection needs a confidential client or an administrator', 401);
  }
  const client = await authenticateClient(context, authorization, form);
  if (client.type === 'public') {
    throw new OAuthError('invalid_client', 'Introspection needs a confidential client or an administrator', 401);
  }
}

export async function introspect(context: AuthContext, authorization: string | undefined, form: URLSearchParams): Promise<Record<string, unknown>> {
  await introspector(context, authorization, form);
  const token = form.get('token') ?? '';
  if (!token) {
    throw new OAuthError('invalid_request', 'token is required');
  }
  const claims = await verifiedOrUndefined(context, token);
  if (claims) {
    return {
      active: true,
      token_type: 'Bearer',
      scope: claims.scope,
      client_id: claims.client_id,
      sub: claims.sub,
      iss: claims.iss,
      aud: claims.aud,
      exp: claims.exp,
      iat: claims.iat,
      ...(claims.fhirUser ? { fhirUser: claims.fhirUser } : {}),
      ...(claims.patient ? { patient: claims.patient } : {}),
      ...(claims.encounter ? { encounter: claims.encounter } : {}),
    };
  }
  const refresh = await context.store.peekRefreshToken(hashRefreshToken(token), Date.now());
  if (refresh) {
    return {
      active: true,
      token_type: 'refresh_token',
      scope: refresh.scope,
      client_id: refresh.clientId,
      ...(refresh.account ? { sub: refresh.account } : {}),
      exp: Math.floor(refresh.expiresAt / 1000),
    };
  }
  return { active: false };
}

/** Revokes an access or refresh token the client holds; unknown tokens are not an error (RFC 7009 section 2.2). */
export async function revoke(context: AuthContext, authorization: string | undefined, form: URLSearchParams): Promise<void> {
  const client: ClientRecord = await authenticateClient(context, authorization, form);
  const token = form.get('token') ?? '';
  if (!token) {
    throw new OAuthError('invalid_request', 'token is required');
  }
  const claims = await verifiedOrUndefined(context, token);
  if (claims) {
    if (claims.client_id === client.clientId) {
      await context.store.revokeAccessToken(claims.jti, claims.exp * 1000);
    }
    return;
  }
  const refresh = await context.store.peekRefreshToken(hashRefreshToken(token), Date.now());
  if (refresh && refresh.clientId === client.clientId) {
    await context.store.revokeRefreshToken(refresh.tokenHash);
  }
}

async function verifiedOrUndefined(context: AuthContext, token: string): Promise<AccessTokenClaims | undefined> {
  try {
    return await context.tokens.verify(token);
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      return undefined;
    }
    throw err;
  }
}
