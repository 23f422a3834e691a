// A read thread setup (readThreadSetup) that records what the thread may hold in memory, in a shared
// Int32Array: slot 0 SQLite's `PRAGMA cache_size` of its connection (negative: KiB), slot 1 its V8
// young generation limit in MiB (worker_threads.resourceLimits).
import type { DatabaseSync } from 'node:sqlite';
import { resourceLimits } from 'node:worker_threads';

export function setupReadConnection(db: DatabaseSync, data: unknown): void {
  const recorded = new Int32Array(data as SharedArrayBuffer);
  const { cache_size: cacheSize } = db.prepare('PRAGMA cache_size').get() as { cache_size: number };
  Atomics.store(recorded, 0, cacheSize);
  Atomics.store(recorded, 1, resourceLimits.maxYoungGenerationSizeMb ?? 0);
}
