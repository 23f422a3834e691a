// The AuditEvent chain across an archive (server/audit/audit-archive.ts, docs/audit.md "Retention"): the
// link an AuditEvent is chained to is the nearest one before it, whether a stored event's or, once older
// events were archived and purged, the archive boundary's; and the purge itself, a physical removal of
// the archived events' rows (never a FHIR delete, which would keep them and add a tombstone).
import { auditChainType } from '../../audit/chain-hash';
import { conflict } from '../../outcomes';
import type { AuditArchiveBoundary } from '../port';
import { deleteIndexRows } from './index-writer';
import type { StatementCache } from './statement-cache';

/** SQL for the AuditEvent chain link written last before `seq` (an SQL expression), or NULL. */
export function auditLinkBeforeSql(seq: string): string {
  return `(SELECT h FROM (
      SELECT * FROM (SELECT a.seq AS s, a.audit_hash AS h FROM resource_versions a
        WHERE a.resource_type = '${auditChainType}' AND a.seq < ${seq} ORDER BY a.seq DESC LIMIT 1)
      UNION ALL
      SELECT * FROM (SELECT b.seq AS s, b.audit_hash AS h FROM audit_archive b WHERE b.seq < ${seq} ORDER BY b.seq DESC LIMIT 1)
    ) ORDER BY s DESC LIMIT 1)`;
}

/** The AuditEvent chain's newest link: the one the next event is chained to (null when there is none). */
export function newestAuditLink(cache: StatementCache): string | null {
  const row = cache.get(`SELECT ${auditLinkBeforeSql('9223372036854775807')} AS h`).get() as { h: string | null };
  return row.h ?? null;
}

/** Removes the AuditEvents at or before the boundary (rows, current rows, index rows) and records it. */
export function purgeAuditEvents(writes: StatementCache, boundary: AuditArchiveBoundary): number {
  const upTo = Number(boundary.position);
  const current = writes
    .get(`SELECT key FROM resources WHERE resource_type = '${auditChainType}' AND seq <= ?`)
    .all(upTo) as { key: number }[];
  for (const { key } of current) {
    deleteIndexRows(writes, key);
  }
  writes.get(`DELETE FROM resources WHERE resource_type = '${auditChainType}' AND seq <= ?`).run(upTo);
  const { changes } = writes.get(`DELETE FROM resource_versions WHERE resource_type = '${auditChainType}' AND seq <= ?`).run(upTo);
  if (Number(changes) !== boundary.events) {
    // Thrown inside the store's transaction: nothing is removed.
    throw conflict(`the store holds ${changes} AuditEvent versions up to position ${boundary.position}, the archive ${boundary.events}; nothing was purged`);
  }
  writes.get('INSERT INTO audit_archive (seq, audit_hash, archived_at) VALUES (?, ?, ?)').run(upTo, boundary.auditHash, Date.now());
  return Number(changes);
}
