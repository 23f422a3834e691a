// SQL functions a read thread of the tests' stores registers (readThreadSetup): LIKE with ESCAPE, which
// a `:contains` search runs (server/store/sqlite/filter-sql.ts), made to hold inside SQLite when its
// pattern holds the marker, until the test lets it go, or ends the thread there as a crash would. The
// test and the thread share the state through a SharedArrayBuffer: nothing depends on timing.
import type { DatabaseSync } from 'node:sqlite';

/** A `:contains` value whose search holds. */
export const holdMarker = 'holdhere';

/** Slots of the shared Int32Array. */
export const slot = {
  /** 1 once a search is held. */
  held: 0,
  /** 0 holds; `go` lets the search finish, `crash` ends the thread. */
  release: 1,
  /** How many rows the function has judged, held or not: a search ran on a read thread. */
  calls: 2,
} as const;
export const go = 1;
export const crash = 2;

/** The shared state of one store's read threads. */
export function holdState(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
}

export function setupReadConnection(db: DatabaseSync, data: unknown): void {
  const state = new Int32Array(data as SharedArrayBuffer);
  db.function('like', (pattern: unknown, value: unknown, escape: unknown) => {
    Atomics.add(state, slot.calls, 1);
    if (typeof pattern === 'string' && pattern.includes(holdMarker)) {
      Atomics.store(state, slot.held, 1);
      Atomics.notify(state, slot.held);
      // Bounded, so that a test that never lets go fails instead of hanging.
      Atomics.wait(state, slot.release, 0, 30_000);
      if (Atomics.load(state, slot.release) === crash) {
        process.exit(70);
      }
    }
    return typeof pattern === 'string' && typeof value === 'string' && likeRegExp(pattern, typeof escape === 'string' ? escape : '').test(value) ? 1 : 0;
  });
}

/** SQLite's LIKE: % any text, _ one character, letters in either case, `escape` quoting the next character. */
function likeRegExp(pattern: string, escape: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === escape && i + 1 < pattern.length) {
      source += quote(pattern[++i]);
    } else {
      source += c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : quote(c);
    }
  }
  return new RegExp(`^${source}$`, 'i');
}

function quote(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** Resolves once a search is held. */
export async function searchHeld(state: Int32Array): Promise<void> {
  // Atomics.waitAsync (ES2024) is not in the compiler's lib yet.
  const { waitAsync } = Atomics as unknown as { waitAsync(a: Int32Array, i: number, v: number, ms: number): { async: boolean; value: Promise<string> | string } };
  const waiting = waitAsync(state, slot.held, 0, 30_000);
  if (waiting.async) {
    await waiting.value;
  }
  if (Atomics.load(state, slot.held) !== 1) {
    throw new Error('no search was held');
  }
}

/** Lets the held search finish (`go`) or ends its thread (`crash`). */
export function letGo(state: Int32Array, how: typeof go | typeof crash): void {
  Atomics.store(state, slot.release, how);
  Atomics.notify(state, slot.release);
}
