// A read thread setup (readThreadSetup) that records the page cache its connection was given: SQLite's
// `PRAGMA cache_size` (negative: KiB) in the first slot of a shared Int32Array.
import type { DatabaseSync } from 'node:sqlite';

export function setupReadConnection(db: DatabaseSync, data: unknown): void {
  const { cache_size: cacheSize } = db.prepare('PRAGMA cache_size').get() as { cache_size: number };
  Atomics.store(new Int32Array(data as SharedArrayBuffer), 0, cacheSize);
}
