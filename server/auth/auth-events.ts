// What the authorization server reports for the audit trail (server/audit): sign-ins, token requests
// and refused bearer tokens, as plain facts. It never passes a password, a token or a secret.
export interface AuthEvent {
  kind: 'login' | 'token' | 'bearer';
  success: boolean;
  /** The account named at sign-in, or the one the token is for. */
  account?: string;
  /** The person's FHIR identity, once known. */
  user?: string;
  clientId?: string;
  /** token: the grant_type asked for. */
  grantType?: string;
  /** A refusal's OAuth error code or HTTP status ('invalid_grant', '401'). */
  reason?: string;
  sourceAddress?: string;
}

/** Receives the authorization server's events; must not throw or wait. */
export type AuthEventSink = (event: AuthEvent) => void;
