// The hashes that make stored history tamper-evident (docs/audit.md, "Tamper evidence"). Each version's
// hash covers its exact stored text and the columns beside it (type, id, version, time, tombstone,
// author) and the hash of the resource's previous version, so a version edited, removed or reordered in
// the database no longer matches what its successor was chained to. AuditEvents are also chained in
// the order written, across resources: each one's link covers its version hash and the previous link.
import { hash } from 'node:crypto';

/** What a version hash covers, as the store keeps it. */
export interface HashedVersion {
  resourceType: string;
  id: string;
  versionId: number;
  /** ms since epoch. */
  lastUpdated: number;
  deleted: boolean;
  /** The author as stored (JSON text), or null. */
  author: string | null;
  /** The exact stored JSON text, or null for a tombstone. */
  content: string | null;
}

/** The type whose versions are also chained in global write order. */
export const auditChainType = 'AuditEvent';

/** SHA-256 (hex) of the version chained to `previous`, the hash of the resource's previous version (null for none). */
export function versionHash(previous: string | null, version: HashedVersion): string {
  // A JSON array: no two different field lists serialise to the same text.
  const fields = [previous, version.resourceType, version.id, version.versionId, version.lastUpdated, version.deleted, version.author, version.content];
  // crypto.hash: one call instead of a Hash object's three, the same digest (https://nodejs.org/api/crypto.html#cryptohashalgorithm-data-options).
  return hash('sha256', JSON.stringify(fields), 'hex');
}

/** The AuditEvent chain's next link: `previous` link (null for the first) and the new version's hash. */
export function auditLink(previous: string | null, versionHashHex: string): string {
  return hash('sha256', JSON.stringify([previous, versionHashHex]), 'hex');
}
