// Who is calling the token, introspection and revocation endpoints: a confidential symmetric client by
// HTTP Basic (client_secret_basic), an asymmetric one by a signed JWT (private_key_jwt, RS384 or ES384:
// SMART Backend Services), a public one by its client_id alone.
// https://hl7.org/fhir/smart-app-launch/client-confidential-asymmetric.html
import { createPublicKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { ClientRecord } from '../store/auth-port';
import { authUrls, OAuthError, type AuthContext } from './auth-context';
import { verifySecret } from './passwords';

const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** SMART: a client assertion's exp is at most five minutes in the future. */
const maxAssertionSeconds = 300;

export async function authenticateClient(context: AuthContext, authorization: string | undefined, form: URLSearchParams): Promise<ClientRecord> {
  if (authorization?.startsWith('Basic ')) {
    return basicClient(context, authorization.slice('Basic '.length));
  }
  const assertion = form.get('client_assertion');
  if (assertion) {
    if (form.get('client_assertion_type') !== assertionType) {
      throw new OAuthError('invalid_client', `client_assertion_type must be ${assertionType}`, 401);
    }
    return assertedClient(context, assertion);
  }
  const clientId = form.get('client_id');
  const client = clientId ? await context.store.getClient(clientId) : undefined;
  if (!client) {
    throw new OAuthError('invalid_client', 'Unknown client, or no client authentication', 401);
  }
  if (client.type !== 'public') {
    throw new OAuthError('invalid_client', 'This client must authenticate (client_secret_basic or private_key_jwt)', 401);
  }
  return client;
}

async function basicClient(context: AuthContext, encoded: string): Promise<ClientRecord> {
  const decoded = Buffer.from(encoded, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  // RFC 6749 section 2.3.1: id and secret are form-urlencoded before being joined.
  const clientId = decodeURIComponent(decoded.slice(0, Math.max(colon, 0)).replace(/\+/g, ' '));
  const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
  const client = colon > 0 ? await context.store.getClient(clientId) : undefined;
  if (!client || client.type !== 'confidential-symmetric' || !client.secretHash || !(await verifySecret(secret, client.secretHash))) {
    throw new OAuthError('invalid_client', 'Client authentication failed', 401);
  }
  return client;
}

async function assertedClient(context: AuthContext, assertion: string): Promise<ClientRecord> {
  const decoded = jwt.decode(assertion, { complete: true });
  const payload = decoded && typeof decoded.payload === 'object' ? decoded.payload : undefined;
  const clientId = typeof payload?.iss === 'string' ? payload.iss : undefined;
  const client = clientId ? await context.store.getClient(clientId) : undefined;
  if (!decoded || !payload || !client || client.type !== 'confidential-asymmetric') {
    throw new OAuthError('invalid_client', 'The client assertion names no registered asymmetric client', 401);
  }
  const alg = decoded.header.alg;
  if (alg !== 'RS384' && alg !== 'ES384') {
    throw new OAuthError('invalid_client', 'The client assertion must be signed RS384 or ES384', 401);
  }
  const keys = await clientKeys(context, client, decoded.header.kid, alg);
  let verified: jwt.JwtPayload | undefined;
  for (const key of keys) {
    try {
      verified = jwt.verify(assertion, key, {
        algorithms: ['RS384', 'ES384'],
        issuer: client.clientId,
        subject: client.clientId,
        audience: authUrls(context.baseUrl).token,
      }) as jwt.JwtPayload;
      break;
    } catch (err) {
      if (!(err instanceof jwt.JsonWebTokenError) || err instanceof jwt.TokenExpiredError) {
        throw new OAuthError('invalid_client', `The client assertion is not valid: ${(err as Error).message}`, 401);
      }
    }
  }
  if (!verified) {
    throw new OAuthError('invalid_client', 'The client assertion is not signed by a key the client registered, or names the wrong audience', 401);
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof verified.exp !== 'number' || verified.exp > now + maxAssertionSeconds) {
    throw new OAuthError('invalid_client', `The client assertion's exp must be at most ${maxAssertionSeconds} s ahead`, 401);
  }
  if (typeof verified.jti !== 'string' || !verified.jti) {
    throw new OAuthError('invalid_client', 'The client assertion has no jti', 401);
  }
  if (!(await context.store.useAssertionId(client.clientId, verified.jti, verified.exp * 1000))) {
    throw new OAuthError('invalid_client', 'The client assertion was used before (its jti is replayed)', 401);
  }
  return client;
}

/** The client's registered keys that could have signed with `alg` (the one named by kid, if any). */
async function clientKeys(context: AuthContext, client: ClientRecord, kid: string | undefined, alg: string): Promise<KeyObject[]> {
  let jwks = client.jwks;
  if (!jwks && client.jwksUri) {
    try {
      jwks = await context.fetchJwks(client.jwksUri);
    } catch (err) {
      throw new OAuthError('invalid_client', `The client's JWKS could not be read from its URL: ${(err as Error).message}`, 401);
    }
  }
  const kty = alg === 'ES384' ? 'EC' : 'RSA';
  const candidates = (jwks?.keys ?? []).filter((k) => k.kty === kty && (!kid || k.kid === kid));
  return candidates.map((k) => createPublicKey({ key: k as import('node:crypto').JsonWebKey, format: 'jwk' }));
}
