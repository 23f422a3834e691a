// Online backup and restore of the embedded store. The backup copies the database with SQLite's backup
// API (https://www.sqlite.org/backup.html) over its own read-only connection, so the server keeps
// serving: in WAL mode a reader never blocks the writer, and the copy is one consistent snapshot (the
// last commit before it began), taken in a single step. The restore puts a checked copy in place of a
// stopped server's file, removing that file's write-ahead log, which belongs to the old database.
import fs from 'node:fs';
import path from 'node:path';
import { backup, DatabaseSync } from 'node:sqlite';

export interface StoreFileSummary {
  file: string;
  bytes: number;
  /** Current resources, deleted ones included (their tombstones are versions). */
  resources: number;
  versions: number;
}

/** Copies the store at `source` (in use or not) to `destination`, checks the copy and describes it. */
export async function backupSqliteStore(source: string, destination: string): Promise<StoreFileSummary> {
  if (!fs.existsSync(source)) {
    throw new Error(`there is no store at ${source}`);
  }
  const partial = `${destination}.partial`;
  fs.rmSync(partial, { force: true });
  const db = new DatabaseSync(source, { readOnly: true, timeout: 10_000 });
  try {
    // Every page in one step (the rate is pages per step), so that the server's writes meanwhile
    // cannot restart the copy; the snapshot's read lock does not block the writer in WAL mode.
    await backup(db, partial, { rate: 2 ** 31 - 1 });
  } finally {
    db.close();
  }
  const summary = checkStoreFile(partial);
  // Only a complete, checked copy takes the destination's name.
  fs.renameSync(partial, destination);
  return { ...summary, file: destination };
}

/**
 * Replaces the store at `target` with the backup at `backupFile`. The server using `target` must be
 * stopped: SQLite cannot tell whether another process still writes through its own connection.
 */
export function restoreSqliteStore(backupFile: string, target: string): StoreFileSummary {
  checkStoreFile(backupFile);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const incoming = `${target}.restoring`;
  fs.copyFileSync(backupFile, incoming);
  // A write-ahead log left beside the target holds pages of the old database; applied to the restored
  // file it would corrupt it, so it goes first.
  for (const suffix of ['-wal', '-shm']) {
    fs.rmSync(target + suffix, { force: true });
  }
  fs.renameSync(incoming, target);
  return { ...checkStoreFile(target), file: target };
}

/** Opens a store file read-only, runs SQLite's integrity check and counts what it holds. */
export function checkStoreFile(file: string): StoreFileSummary {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const problems = db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    if (problems.length !== 1 || problems[0].integrity_check !== 'ok') {
      throw new Error(`${file} fails SQLite's integrity check: ${problems.map((p) => p.integrity_check).slice(0, 5).join('; ')}`);
    }
    const count = (sql: string): number => (db.prepare(sql).get() as { n: number }).n;
    return {
      file,
      bytes: fs.statSync(file).size,
      resources: count('SELECT count(*) AS n FROM resources'),
      versions: count('SELECT count(*) AS n FROM resource_versions'),
    };
  } finally {
    db.close();
  }
}
