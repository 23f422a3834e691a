// The authorization request travels between the login and consent pages as a signed, short-lived
// ticket (a JWT in a hidden field), so the server keeps no session and a page cannot alter the request.
import jwt from 'jsonwebtoken';
import type { SigningKeyRing } from './signing-keys';

/** A validated authorization request, and what the pages have learnt since. */
export interface AuthorizationTicket {
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  codeChallenge?: string;
  nonce?: string;
  /** The EHR launch's context, when the app was launched from the EHR. */
  launch?: { patient: string; encounter?: string; account: string };
  /** Set once the user has signed in. */
  account?: string;
}

const audience = 'authorize-ticket';
const ticketSeconds = 600;

export function signTicket(keys: SigningKeyRing, ticket: AuthorizationTicket): string {
  const key = keys.current();
  return jwt.sign({ t: ticket }, key.privateKey, { algorithm: 'RS256', keyid: key.kid, audience, expiresIn: ticketSeconds });
}

/** The ticket, or undefined when it is forged, altered or expired. */
export function readTicket(keys: SigningKeyRing, token: string | undefined): AuthorizationTicket | undefined {
  if (!token) {
    return undefined;
  }
  const decoded = jwt.decode(token, { complete: true });
  const key = decoded ? keys.find(decoded.header.kid) : undefined;
  if (!key) {
    return undefined;
  }
  try {
    return (jwt.verify(token, key.publicKey, { algorithms: ['RS256'], audience }) as { t: AuthorizationTicket }).t;
  } catch {
    return undefined;
  }
}
