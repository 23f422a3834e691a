// Bulk loads into the embedded store: the search tables' lookup indexes (every index of an idx_* table
// except the one on `key`, which replacing a resource's rows needs, and those the write rules search
// through) are dropped first and built once at the end, so that each index row is appended rather than
// inserted into ever larger b-trees. SQLite builds an index from a sort, much faster than a million
// random inserts. The dropped definitions are kept in `deferred_indexes` until rebuilt: a load that
// stops half-way has them rebuilt on the next open.
import type { DatabaseSync } from 'node:sqlite';

/**
 * Lookup indexes kept up row by row even in a bulk load, because the write rules search through them as
 * each Bundle is written: the cloud pharmacy's dispense rule reads a prescription's earlier dispenses,
 * the review reads the patient's other prescriptions and allergies, home care a request's Tasks, all by
 * reference. Without the index each such search scans every reference row loaded so far, so the load
 * slows as it grows (a 1M load fell from 31 to 7 patients a second; docs/seed.md).
 */
export const indexesWriteRulesRead: ReadonlySet<string> = new Set(['idx_reference_lookup']);

/** Drops the lookup indexes of the search tables that no write rule reads, remembering each one's definition. */
export function deferLookupIndexes(db: DatabaseSync): number {
  const indexes = (
    db
      .prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name LIKE 'idx\\_%' ESCAPE '\\' AND sql IS NOT NULL AND name NOT LIKE '%\\_key' ESCAPE '\\'")
      .all() as { name: string; sql: string }[]
  ).filter(({ name }) => !indexesWriteRulesRead.has(name));
  db.exec('BEGIN IMMEDIATE');
  try {
    const remember = db.prepare('INSERT OR REPLACE INTO deferred_indexes (name, sql) VALUES (?, ?)');
    for (const { name, sql } of indexes) {
      remember.run(name, sql);
      db.exec(`DROP INDEX ${name}`);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  return indexes.length;
}

/** Builds every deferred index again; a no-op when none is deferred. */
export function rebuildDeferredIndexes(db: DatabaseSync): number {
  const deferred = db.prepare('SELECT name, sql FROM deferred_indexes').all() as { name: string; sql: string }[];
  if (!deferred.length) {
    return 0;
  }
  db.exec('BEGIN IMMEDIATE');
  try {
    for (const { name, sql } of deferred) {
      db.exec(sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
      db.prepare('DELETE FROM deferred_indexes WHERE name = ?').run(name);
    }
    db.exec('COMMIT');
  } catch (err) {
    db.exec('ROLLBACK');
    throw err;
  }
  return deferred.length;
}
