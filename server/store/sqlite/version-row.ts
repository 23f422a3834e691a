// One stored version as the readers select it: a row of `resource_versions` (or `resources`), or an
// AuditEvent's row of `audit_events` selected under the same column names (audit-event-table.ts).

/** The columns SqliteOperations decodes into a ResourceVersion. */
export interface VersionRow {
  seq: number;
  resource_type: string;
  id: string;
  version_id: number;
  last_updated: number;
  deleted: number;
  content: string | null;
}
