// Keeps a process's caches of stored content (terminology expansions, compiled profiles) right when
// another process sharing the store writes that content: before each request the store's change marker
// of the watched types is read (ResourceStore.changeMarker, one indexed lookup), and a marker other than
// the last one seen invalidates. Writes through this process are also caught at once by invalidate-on-write.ts.
// Given the request's commit reading (ResourceStore.commitReading), the marker is not read again while
// the reading equals the one the last marker was read under: nothing was committed since, by anyone.
import type { ResourceStore } from './port';

/**
 * A function to await at the start of each request, with a commit reading taken since the request
 * arrived (or none): it invalidates when the watched types changed since the last call.
 */
export function watchStoreChanges(store: Pick<ResourceStore, 'changeMarker'>, watched: ReadonlySet<string>, invalidate: () => void): (reading?: number) => Promise<void> {
  const types = [...watched].sort();
  let seen: string | undefined;
  // The reading taken before `seen` was read: while a later reading equals it, `seen` is still the marker.
  let seenUnder: number | undefined;
  return async (reading) => {
    if (reading !== undefined && reading === seenUnder) {
      return;
    }
    const marker = await store.changeMarker(types);
    if (seen !== undefined && marker !== seen) {
      invalidate();
    }
    seen = marker;
    seenUnder = reading;
  };
}
