// The manifest of an AuditEvent archive (audit-archive.ts, docs/audit.md "Retention"): what the archive
// holds (count, first and last chain position and link, the SHA-256 of its NDJSON file), signed as a
// compact JWS (RS256, `typ` audit-archive+jwt) with the server's signing key like the anchors
// (anchor-token.ts), so that an auditor can check it offline with the key file or the JWKS kept from then.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { SigningKeyRing } from '../auth/signing-keys';

/** The JWS `typ` of a manifest, never taken for an access token or an anchor. */
const manifestType = 'audit-archive+jwt';

export const archiveFileName = 'audit-events.ndjson';
export const manifestFileName = 'manifest.json';

export interface ArchiveManifestContent {
  format: 'dhc-audit-archive/1';
  /** The server's base URL (the JWS issuer). */
  issuer: string;
  archivedAt: string;
  /** Events last written before this instant were archived. */
  before: string;
  events: number;
  file: string;
  /** SHA-256 (hex) and length of the NDJSON file. */
  sha256: string;
  bytes: number;
  /** The first event, and the chain link it is chained to (the previous archive's last, or null). */
  first: { position: string; id: string; previousAuditHash: string | null };
  /** The last event and its link: where the chain in the store (or the next archive) goes on from. */
  last: { position: string; id: string; auditHash: string };
}

export interface ArchiveManifest extends ArchiveManifestContent {
  /** The content above as a compact JWS signed with the server's key. */
  signature: string;
}

export function signManifest(content: ArchiveManifestContent, keys: SigningKeyRing): ArchiveManifest {
  const key = keys.current();
  const signature = jwt.sign({ ...content }, key.privateKey, { algorithm: 'RS256', noTimestamp: true, header: { alg: 'RS256', kid: key.kid, typ: manifestType } });
  return { ...content, signature };
}

/** Finds the public key of a kid: the server's key ring, or a JWKS kept by the auditor. */
export type KeyLookup = (kid: string | undefined) => KeyObject | undefined;

export function keyRingLookup(keys: SigningKeyRing): KeyLookup {
  return (kid) => keys.find(kid)?.publicKey;
}

export function jwksLookup(jwks: { keys: Record<string, unknown>[] }): KeyLookup {
  return (kid) => {
    const jwk = jwks.keys.find((k) => k.kid === kid);
    return jwk ? createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }) : undefined;
  };
}

/** What is wrong with a manifest's signature: undefined when it verifies and signs exactly its content. */
export function manifestSignatureProblem(manifest: ArchiveManifest, lookup: KeyLookup): string | undefined {
  const { signature, ...content } = manifest;
  const decoded = typeof signature === 'string' ? jwt.decode(signature, { complete: true }) : null;
  if (!decoded || typeof decoded.payload === 'string' || decoded.header.typ !== manifestType) {
    return 'the manifest has no archive signature (a JWS of type audit-archive+jwt)';
  }
  const key = lookup(decoded.header.kid);
  if (!key) {
    return `the manifest was signed with key '${decoded.header.kid}', which is not among the keys given`;
  }
  try {
    const payload = jwt.verify(signature, key, { algorithms: ['RS256'] });
    return JSON.stringify(payload) === JSON.stringify(content) ? undefined : 'the manifest differs from what was signed';
  } catch (err) {
    return `the manifest's signature does not verify: ${err instanceof Error ? err.message : String(err)}`;
  }
}
