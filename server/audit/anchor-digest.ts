// The anchor's content: a digest, per resource type, of every version's hash up to a position in the
// write order, and the AuditEvent chain's head there. Signed and kept away from the database
// (anchor-token.ts), it lets $verify-history detect a chain rewritten consistently with raw database
// access, or versions removed, up to that position. See docs/audit.md, "Tamper evidence".
import { createHash, type Hash } from 'node:crypto';
import type { StoreOperations } from '../store/port';
import { auditChainType } from './chain-hash';

export interface TypeDigest {
  versions: number;
  /** SHA-256 (hex) over `id/versionId:hash` lines in write order ('-' for a version without a hash). */
  digest: string;
}

export interface AnchorContent {
  /** The newest version covered, in the adapter's write order. */
  position: string;
  /** All versions covered. */
  versions: number;
  types: Record<string, TypeDigest>;
  /** The AuditEvent chain's newest link at the position; absent when none is chained. */
  auditHead?: string;
}

/** Versions read per query while digesting. */
const pageSize = 5000;

/**
 * Digests the versions up to `position` (the newest one when absent); `resourceType` limits it to one
 * type (what checking one resource's history against an anchor needs).
 */
export async function digestHistory(store: StoreOperations, options: { position?: string; resourceType?: string } = {}): Promise<AnchorContent> {
  const position = options.position ?? (await store.newestPosition());
  const hashes = new Map<string, { versions: number; hash: Hash }>();
  const content: AnchorContent = { position, versions: 0, types: {} };
  let after: string | undefined;
  for (;;) {
    const page = await store.chainRecords({ resourceType: options.resourceType, upTo: position, after, hashesOnly: true, limit: pageSize });
    for (const record of page) {
      let type = hashes.get(record.resourceType);
      if (!type) {
        type = { versions: 0, hash: createHash('sha256') };
        hashes.set(record.resourceType, type);
      }
      type.versions++;
      type.hash.update(`${record.id}/${record.versionId}:${record.hash ?? '-'}\n`);
      content.versions++;
      if (record.resourceType === auditChainType && record.auditHash) {
        content.auditHead = record.auditHash;
      }
    }
    if (page.length < pageSize) {
      break;
    }
    after = page[page.length - 1].position;
  }
  for (const [type, { versions, hash }] of [...hashes].sort(([a], [b]) => a.localeCompare(b))) {
    content.types[type] = { versions, digest: hash.digest('hex') };
  }
  return content;
}
