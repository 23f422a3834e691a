// The anchor as a JWS (RFC 7515, compact, RS256) signed with the server's signing key
// (server/auth/signing-keys.ts), whose public half the JWKS publishes, so an auditor can check it
// without the server. The claims are the anchor's content (anchor-digest.ts) and when it was made.
import jwt from 'jsonwebtoken';
import type { SigningKeyRing } from '../auth/signing-keys';
import { badRequest } from '../outcomes';
import type { AnchorContent } from './anchor-digest';

/** The JWS `typ` of an anchor, so that no access token is ever taken for one (or the reverse). */
const anchorType = 'history-anchor+jwt';

export interface Anchor extends AnchorContent {
  /** The server's base URL. */
  iss: string;
  /** When the anchor was made (seconds since epoch). */
  iat: number;
}

export function signAnchor(content: AnchorContent, keys: SigningKeyRing, issuer: string): string {
  const key = keys.current();
  return jwt.sign({ ...content }, key.privateKey, { algorithm: 'RS256', keyid: key.kid, issuer, header: { alg: 'RS256', kid: key.kid, typ: anchorType } });
}

/** The anchor a JWS carries, once its signature is checked; 400 for anything else. */
export function readAnchor(token: string, keys: SigningKeyRing, issuer: string): Anchor {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.payload === 'string' || decoded.header.typ !== anchorType) {
    throw badRequest('The anchor is not an anchor this server exported (a JWS from GET [base]/$anchor)', 'anchor');
  }
  const key = keys.find(decoded.header.kid);
  if (!key) {
    throw badRequest(`The anchor was signed with key '${decoded.header.kid}', which this server no longer holds; check it with the JWKS kept from then`, 'anchor');
  }
  try {
    const anchor = jwt.verify(token, key.publicKey, { algorithms: ['RS256'], issuer }) as Anchor;
    if (typeof anchor.position !== 'string' || typeof anchor.types !== 'object' || anchor.types === null) {
      throw badRequest('The anchor lacks its position or digests', 'anchor');
    }
    return anchor;
  } catch (err) {
    if (err instanceof jwt.JsonWebTokenError) {
      throw badRequest(`The anchor's signature does not verify: ${err.message}`, 'anchor');
    }
    throw err;
  }
}
