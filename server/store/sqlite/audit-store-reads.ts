// Reads that span both tables of versions: system history and the chains' records list resource versions
// and AuditEvents (audit-event-table.ts) in the one write order they share, so that a page, a cursor or an
// anchor's position means the same whichever table a version is in.
import { decodeCursor } from '../cursor';
import type { ChainQuery, HistoryQuery } from '../port';
import { auditEventType, type AuditEventTable } from './audit-event-table';
import { AuditFilterSql } from './audit-search-sql';
import type { ParamIdLookup } from './filter-sql';
import type { VersionRow } from './version-row';

/** Whether a query of `resourceType` (undefined: every type) lists AuditEvents. */
const listsEvents = (resourceType: string | undefined): boolean => resourceType === undefined || resourceType === auditEventType;

/** A history page's rows (newest first, `count + 1` at most) with the AuditEvents the query lists merged in. */
export function auditHistory<T extends VersionRow>(audits: AuditEventTable, paramId: ParamIdLookup, query: HistoryQuery, rows: T[]): T[] {
  if (!listsEvents(query.resourceType)) {
    return rows;
  }
  const visible = new AuditFilterSql(paramId, query.restriction).visible();
  if (visible.sql === '0') {
    return rows;
  }
  const before = query.cursor ? Number(decodeCursor(query.cursor, 1)[0]) : undefined;
  const events = audits.history(query, query.count + 1, visible, before) as T[];
  return [...rows, ...events].sort((a, b) => b.seq - a.seq).slice(0, query.count + 1);
}

/** Chain records' rows (oldest first, `query.limit` at most) with the AuditEvents' merged in. */
export function auditChainRows<T extends { seq: number }>(audits: AuditEventTable, query: ChainQuery, rows: T[]): T[] {
  if (!listsEvents(query.resourceType)) {
    return rows;
  }
  const events = audits.chainRows(query) as unknown as T[];
  return [...rows, ...events].sort((a, b) => a.seq - b.seq).slice(0, query.limit);
}
