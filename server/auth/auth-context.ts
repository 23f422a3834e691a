// What the authorization server's endpoints share: its stores, keys, token issuer and URLs.
import type { Logger } from 'pino';
import type { AuthStore, ClientRecord, UserRecord } from '../store/auth-port';
import type { StoreOperations } from '../store/port';
import type { AccessTokens, Grant } from './access-tokens';
import type { AccountLoginLimit } from './rate-limits';
import type { AuthEventSink } from './auth-events';
import type { SigningKeyRing } from './signing-keys';

/** Failed logins per address and per account (15 minutes), and token-endpoint requests per address (a minute). */
export interface AuthLimits {
  login: number;
  token: number;
  accountLogin: number;
}

export interface AuthContext {
  store: AuthStore;
  /** The FHIR resources, for the launch patient and the patient picker. */
  resources: StoreOperations;
  keys: SigningKeyRing;
  tokens: AccessTokens;
  /** The FHIR base URL: the `aud` apps must name, and the audience of access tokens. */
  baseUrl: string;
  logger: Logger;
  limits: AuthLimits;
  /** Failed logins per account, across addresses and processes. */
  accountLogins: AccountLoginLimit;
  /** Reads a client's JWKS from its registered URL (replaceable in tests). */
  fetchJwks(url: string): Promise<{ keys: Record<string, unknown>[] }>;
  /** Where sign-ins, tokens and refused bearer tokens are reported (the audit trail); none when absent. */
  events?: AuthEventSink;
}

export function authUrls(baseUrl: string): { authorize: string; token: string; jwks: string; introspect: string; revoke: string; launch: string } {
  const auth = `${baseUrl}/auth`;
  return { authorize: `${auth}/authorize`, token: `${auth}/token`, jwks: `${auth}/jwks`, introspect: `${auth}/introspect`, revoke: `${auth}/revoke`, launch: `${auth}/launch` };
}

/** The grant a user's sign-in in an app gives: the person's identity and roles, the scopes approved. */
export function userGrant(user: UserRecord, client: ClientRecord, scopes: string[], context: { patient?: string; encounter?: string }): Grant {
  return {
    kind: 'user',
    clientId: client.clientId,
    account: user.account,
    fhirUser: user.fhirUser,
    roles: user.roles,
    organizations: user.organizations,
    scopes,
    ...context,
  };
}

/** The grant of a backend service acting for itself and its organizations. */
export function clientGrant(client: ClientRecord, scopes: string[]): Grant {
  return { kind: 'client', clientId: client.clientId, roles: client.roles, organizations: client.organizations, scopes };
}

/** An OAuth error response (RFC 6749 section 5.2), thrown by the token, introspection and revocation endpoints. */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    readonly description: string,
    readonly status = 400
  ) {
    super(description);
  }
}
