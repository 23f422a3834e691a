// The AuditEvent chain across an archive (server/audit/audit-archive.ts, docs/audit.md "Retention"): the
// link an AuditEvent is chained to is the nearest one before it, whether a stored event's or, once older
// events were archived and purged, the archive boundary's; and the purge itself, a physical removal of
// the archived events' rows from the audit table (audit-event-table.ts), never a FHIR delete.
import { conflict } from '../../outcomes';
import type { AuditArchiveBoundary } from '../port';
import type { StatementCache } from './statement-cache';

/** The nearest AuditEvent chain link before `seq` (an SQL expression) as one row (s, h): a stored event's or an archive boundary's. */
export function linkBeforeSql(seq: string): string {
  return `SELECT * FROM (SELECT la.seq AS s, la.audit_hash AS h FROM audit_events la WHERE la.seq < ${seq} ORDER BY la.seq DESC LIMIT 1)
      UNION ALL
      SELECT * FROM (SELECT lb.seq AS s, lb.audit_hash AS h FROM audit_archive lb WHERE lb.seq < ${seq} ORDER BY lb.seq DESC LIMIT 1)
      ORDER BY s DESC LIMIT 1`;
}

const newestEventLinkSql = 'SELECT audit_hash AS h FROM audit_events ORDER BY seq DESC LIMIT 1';
const newestBoundaryLinkSql = 'SELECT audit_hash AS h FROM audit_archive ORDER BY seq DESC LIMIT 1';

/**
 * The AuditEvent chain's newest link: the one the next event is chained to (null when there is none). The
 * newest stored event's when there is one: a purge removes every event up to its boundary and a new event
 * takes a position after every boundary, so a stored event is always newer than the boundaries; the newest
 * boundary's once all were archived. (One step down one b-tree per event, not linkBeforeSql's union.)
 */
export function newestAuditLink(cache: StatementCache): string | null {
  const row = (cache.get(newestEventLinkSql).get() ?? cache.get(newestBoundaryLinkSql).get()) as { h: string | null } | undefined;
  return row?.h ?? null;
}

/** Removes the AuditEvents at or before the boundary (their rows and lookup entries) and records it. */
export function purgeAuditEvents(writes: StatementCache, boundary: AuditArchiveBoundary): number {
  const upTo = Number(boundary.position);
  // A scan of the lookup table (led by the target): archiving is a monthly task.
  writes.get('DELETE FROM audit_event_targets WHERE seq <= ?').run(upTo);
  // Those not merged yet (audit-event-table.ts): a few thousand at most.
  writes.get('DELETE FROM audit_event_recent_targets WHERE seq <= ?').run(upTo);
  const { changes } = writes.get('DELETE FROM audit_events WHERE seq <= ?').run(upTo);
  if (Number(changes) !== boundary.events) {
    // Thrown inside the store's transaction: nothing is removed.
    throw conflict(`the store holds ${changes} AuditEvent versions up to position ${boundary.position}, the archive ${boundary.events}; nothing was purged`);
  }
  writes.get('INSERT INTO audit_archive (seq, audit_hash, archived_at) VALUES (?, ?, ?)').run(upTo, boundary.auditHash, Date.now());
  return Number(changes);
}
