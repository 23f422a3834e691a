// Keeps a process's caches of stored content (terminology expansions, compiled profiles) right when
// another process sharing the store writes that content: before each request the store's change marker
// of the watched types is read (ResourceStore.changeMarker, one indexed lookup), and a marker other than
// the last one seen invalidates. Writes through this process are also caught at once by invalidate-on-write.ts.
import type { ResourceStore } from './port';

/** A function to await at the start of each request: it invalidates when the watched types changed since the last call. */
export function watchStoreChanges(store: Pick<ResourceStore, 'changeMarker'>, watched: ReadonlySet<string>, invalidate: () => void): () => Promise<void> {
  const types = [...watched].sort();
  let seen: string | undefined;
  return async () => {
    const marker = await store.changeMarker(types);
    if (seen !== undefined && marker !== seen) {
      invalidate();
    }
    seen = marker;
  };
}
