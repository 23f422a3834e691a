// The SQLite schema and its migrations, applied in order at start-up. PRAGMA user_version records
// how far a database file has been migrated, so an older file is brought up to date on open.
import type { DatabaseSync } from 'node:sqlite';

const migrations: string[] = [
  // 1: every version of every resource, and an index of the current version of each.
  `
  CREATE TABLE resource_versions (
    seq           INTEGER PRIMARY KEY,  -- global write order: history paging and default search order
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    version_id    INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,     -- ms since epoch
    replaced_at   INTEGER,              -- when the next version was written; NULL while current (for _at)
    deleted       INTEGER NOT NULL,     -- 1 for a delete tombstone
    content       TEXT                  -- the resource as JSON, meta included; NULL for a tombstone
  );
  CREATE UNIQUE INDEX resource_versions_by_resource ON resource_versions (resource_type, id, version_id);
  CREATE INDEX resource_versions_by_type ON resource_versions (resource_type, seq);
  CREATE INDEX resource_versions_by_time ON resource_versions (last_updated);

  CREATE TABLE current_resources (
    resource_type TEXT    NOT NULL,
    id            TEXT    NOT NULL,
    seq           INTEGER NOT NULL,     -- the current version's row in resource_versions
    version_id    INTEGER NOT NULL,
    last_updated  INTEGER NOT NULL,
    deleted       INTEGER NOT NULL,
    PRIMARY KEY (resource_type, id)
  ) WITHOUT ROWID;
  CREATE INDEX current_resources_by_seq ON current_resources (resource_type, deleted, seq);
  CREATE INDEX current_resources_by_updated ON current_resources (resource_type, deleted, last_updated, seq);
  `,
];

export const schemaVersion = migrations.length;

/**
 * Brings the database up to the latest schema. The version is re-read inside each write transaction,
 * so two processes starting on one file at once do not both apply the same migration.
 */
export function migrate(db: DatabaseSync): void {
  for (;;) {
    db.exec('BEGIN IMMEDIATE');
    try {
      const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
      if (current > migrations.length) {
        throw new Error(
          `The database schema is version ${current}, newer than this server knows (${migrations.length}); ` +
            'upgrade the server or point FHIR_DB at another file'
        );
      }
      if (current === migrations.length) {
        db.exec('COMMIT');
        return;
      }
      db.exec(migrations[current]);
      db.exec(`PRAGMA user_version = ${current + 1}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  }
}
