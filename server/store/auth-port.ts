// The authorization server's storage port: who exists (client applications, user accounts) and the
// short-lived state of OAuth (codes, launches, refresh tokens, revocations, used client-assertion ids,
// rate-limit counters). Every adapter implements it, so that revocation and rate limits hold across all
// the processes sharing one store. Nothing outside server/store/ knows which adapter runs.

/** How a client authenticates at the token endpoint (SMART App Launch 2.x, "client types"). */
export type ClientType = 'public' | 'confidential-symmetric' | 'confidential-asymmetric';

export interface ClientRecord {
  clientId: string;
  name: string;
  type: ClientType;
  /** Exact redirect URIs; the authorization endpoint accepts no other. */
  redirectUris: string[];
  /** The scopes the client may be granted (what it asks for is narrowed to these). */
  scopes: string[];
  /** scrypt hash of the secret of a confidential-symmetric client (server/auth/passwords.ts). */
  secretHash?: string;
  /** The public keys of a confidential-asymmetric client, by value ... */
  jwks?: { keys: Record<string, unknown>[] };
  /** ... or by URL. */
  jwksUri?: string;
  /** The organizations a backend client acts for ('Organization/x'): one HIS vendor serves many clinics. */
  organizations: string[];
  /** Roles granted to a backend client acting for itself (e.g. 'auditor' for an audit tool). */
  roles: string[];
  createdAt: string;
}

export interface UserRecord {
  /** The login name. */
  account: string;
  displayName: string;
  /** scrypt hash (server/auth/passwords.ts). */
  passwordHash: string;
  /** The person's FHIR identity: 'PractitionerRole/x', 'Practitioner/x', 'Patient/x', 'RelatedPerson/x'. */
  fhirUser: string;
  roles: string[];
  organizations: string[];
  /** For a RelatedPerson: the patients they may act for. A Patient user acts for themselves. */
  patients: string[];
  createdAt: string;
}

/** An authorization code, stored by its hash until it is exchanged once or expires. */
export interface AuthorizationCodeRecord {
  codeHash: string;
  clientId: string;
  account: string;
  redirectUri: string;
  scope: string;
  codeChallenge?: string;
  patient?: string;
  encounter?: string;
  nonce?: string;
  expiresAt: number;
}

/** An EHR launch: created by an authenticated EHR user, binding the context an app will receive. */
export interface LaunchRecord {
  launchId: string;
  account: string;
  patient: string;
  encounter?: string;
  expiresAt: number;
}

/** A refresh token, stored by its hash. Tokens rotated from one another share a family. */
export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  clientId: string;
  account?: string;
  scope: string;
  patient?: string;
  encounter?: string;
  /** offline_access tokens outlive the session; online_access ones expire with it. */
  expiresAt: number;
}

export type RefreshUse =
  | { status: 'valid'; record: RefreshTokenRecord }
  /** Presented again after it was rotated: the whole family is revoked (RFC 6819 5.2.2.3). */
  | { status: 'reused'; record: RefreshTokenRecord }
  | { status: 'invalid' };

export interface AuthStore {
  putClient(client: ClientRecord): Promise<void>;
  getClient(clientId: string): Promise<ClientRecord | undefined>;
  listClients(): Promise<ClientRecord[]>;
  deleteClient(clientId: string): Promise<boolean>;

  putUser(user: UserRecord): Promise<void>;
  getUser(account: string): Promise<UserRecord | undefined>;
  listUsers(): Promise<UserRecord[]>;

  saveCode(code: AuthorizationCodeRecord): Promise<void>;
  /** Returns the code's record and deletes it in one step, so a code works once; undefined if unknown or expired. */
  takeCode(codeHash: string, now: number): Promise<AuthorizationCodeRecord | undefined>;

  saveLaunch(launch: LaunchRecord): Promise<void>;
  getLaunch(launchId: string, now: number): Promise<LaunchRecord | undefined>;

  saveRefreshToken(token: RefreshTokenRecord): Promise<void>;
  /** Marks the token used (rotation) in one step; a used or revoked family's token revokes the family. */
  useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse>;
  /** Revokes the family the token belongs to; false when the token is unknown. */
  revokeRefreshToken(tokenHash: string): Promise<boolean>;
  /** What introspection says about a refresh token: the record while it is usable. */
  peekRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRecord | undefined>;

  /** Revokes an access token by its jti until it would have expired anyway. */
  revokeAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenRevoked(jti: string): Promise<boolean>;

  /** Records a client assertion's jti; false when the same client used it before (a replay). */
  useAssertionId(clientId: string, jti: string, expiresAt: number): Promise<boolean>;

  /** Counts a hit for `key` in the window starting at the first hit; used by the rate limits. */
  countHit(key: string, windowMs: number, now: number): Promise<{ hits: number; resetAt: number }>;
  /** Takes back one hit (a login that succeeded after all, when only failures count). */
  uncountHit(key: string): Promise<void>;
  resetHits(key: string): Promise<void>;

  /** Deletes expired codes, launches, refresh tokens, revocations, assertion ids and counters. */
  purgeExpired(now: number): Promise<void>;
}
