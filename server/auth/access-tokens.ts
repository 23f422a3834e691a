// Access tokens and id_tokens: JWTs signed RS256 with the key ring's current key (jsonwebtoken). Every
// request's token is checked for its signature, its algorithm (RS256 only: never `none`, never HS256
// keyed with the public key), issuer, audience, expiry and revocation.
// https://hl7.org/fhir/smart-app-launch/app-launch.html#response-5
import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AuthStore } from '../store/auth-port';
import { BoundedCache } from './bounded-cache';
import type { SigningKeyRing } from './signing-keys';

/** Lifetime of an access token. */
export const accessTokenSeconds = 3600;

/** What a token is issued for: a person through an app, or a backend client acting for itself. */
export interface Grant {
  kind: 'user' | 'client';
  clientId: string;
  /** The user's account (login name); absent for a backend client. */
  account?: string;
  fhirUser?: string;
  roles: string[];
  organizations: string[];
  scopes: string[];
  patient?: string;
  encounter?: string;
  /** Break-the-glass: the patient ('Patient/x') opened outside the grant, and the reason stated. */
  breakGlass?: { patient: string; reason: string };
}

/** The claims of this server's access tokens. */
export interface AccessTokenClaims {
  iss: string;
  aud: string;
  sub: string;
  exp: number;
  iat: number;
  jti: string;
  client_id: string;
  scope: string;
  kind: 'user' | 'client';
  fhirUser?: string;
  roles: string[];
  orgs: string[];
  patient?: string;
  encounter?: string;
  btg?: { patient: string; reason: string };
}

/** Why a token was refused; rendered as 401 invalid_token (RFC 6750). */
export class InvalidTokenError extends Error {}

/**
 * Tokens whose signature, issuer, audience and expiry were checked are kept, by their exact text, for at
 * most this long (and never past their expiry), so that a client sending the same token on every request
 * pays for one RS256 verification, not one per request (it was a third of the server's CPU on reads).
 * Revocation is still looked up on every request; a key rotated out of the ring ends its tokens at once.
 */
const verifiedTokenMs = 60_000;

interface VerifiedToken {
  claims: AccessTokenClaims;
  kid: string;
  until: number;
  /** The commit reading the token was last found unrevoked under (see verify). */
  unrevokedUnder?: number;
}

export class AccessTokens {
  constructor(
    private readonly keys: SigningKeyRing,
    /** Where revocations are kept; undefined for an issuer that never verifies (a test's or the benchmark's). */
    private readonly store: AuthStore | undefined,
    /** The authorization server's identifier (iss), and the FHIR base URL tokens are for (aud). */
    readonly issuer: string,
    readonly audience: string
  ) {}

  /** At most 5,000 verified tokens are kept (the oldest is dropped first). */
  private readonly verified = new BoundedCache<VerifiedToken>(5_000);

  issue(grant: Grant, lifetimeSeconds = accessTokenSeconds): { token: string; jti: string; expiresIn: number } {
    const key = this.keys.current();
    const jti = randomUUID();
    const claims = {
      client_id: grant.clientId,
      scope: grant.scopes.join(' '),
      kind: grant.kind,
      roles: grant.roles,
      orgs: grant.organizations,
      ...(grant.fhirUser ? { fhirUser: grant.fhirUser } : {}),
      ...(grant.patient ? { patient: grant.patient } : {}),
      ...(grant.encounter ? { encounter: grant.encounter } : {}),
      ...(grant.breakGlass ? { btg: grant.breakGlass } : {}),
    };
    const token = jwt.sign(claims, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: this.issuer,
      audience: this.audience,
      subject: grant.account ?? grant.clientId,
      expiresIn: lifetimeSeconds,
      jwtid: jti,
    });
    return { token, jti, expiresIn: lifetimeSeconds };
  }

  /** An OpenID Connect id_token naming the user and their FHIR identity (SMART sso-openid-connect). */
  issueIdToken(grant: Grant, nonce: string | undefined): string {
    const key = this.keys.current();
    return jwt.sign({ fhirUser: grant.fhirUser ? `${this.audience}/${grant.fhirUser}` : undefined, ...(nonce ? { nonce } : {}) }, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: this.issuer,
      audience: grant.clientId,
      subject: grant.account ?? grant.clientId,
      expiresIn: accessTokenSeconds,
    });
  }

  /**
   * The claims of a valid, unrevoked token of this server; InvalidTokenError otherwise. `reading` is the
   * store's commit reading (ResourceStore.commitReading of the store whose authStore() keeps the
   * revocations) taken since the request arrived: while it equals the one the token was last found
   * unrevoked under, nothing was committed since, no revocation either, by this process or another, so
   * the lookup is not made again.
   */
  async verify(token: string, reading?: number): Promise<AccessTokenClaims> {
    const known = this.verifiedToken(token);
    const claims = known.claims;
    if (reading !== undefined && known.unrevokedUnder === reading) {
      return claims;
    }
    if (!this.store || (await this.store.isAccessTokenRevoked(claims.jti))) {
      throw new InvalidTokenError(this.store ? 'The bearer token has been revoked' : 'This issuer cannot check revocations');
    }
    known.unrevokedUnder = reading;
    return claims;
  }

  /** A token signed by a key of the ring, for this issuer and audience, not expired: its claims. */
  private verifiedToken(token: string): VerifiedToken {
    const now = Date.now();
    const known = this.verified.get(token);
    if (known && known.until > now && this.keys.find(known.kid)) {
      return known;
    }
    this.verified.delete(token);
    const decoded = jwt.decode(token, { complete: true });
    if (!decoded || typeof decoded.payload === 'string') {
      throw new InvalidTokenError('The bearer token is not a JWT');
    }
    const key = this.keys.find(decoded.header.kid);
    if (!key) {
      throw new InvalidTokenError('The bearer token was not signed by a key of this server');
    }
    let claims: AccessTokenClaims;
    try {
      claims = jwt.verify(token, key.publicKey, { algorithms: ['RS256'], issuer: this.issuer, audience: this.audience }) as AccessTokenClaims;
    } catch (err) {
      throw new InvalidTokenError(`The bearer token is not valid: ${(err as Error).message}`);
    }
    if (typeof claims.jti !== 'string' || typeof claims.client_id !== 'string' || typeof claims.scope !== 'string') {
      throw new InvalidTokenError('The bearer token lacks jti, client_id or scope');
    }
    const verified = { claims, kid: key.kid, until: Math.min(claims.exp * 1000, now + verifiedTokenMs) };
    this.verified.set(token, verified);
    return verified;
  }
}
