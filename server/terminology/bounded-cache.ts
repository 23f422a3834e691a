// A Map that keeps at most `capacity` entries, dropping the least recently used: the engine's caches
// are keyed by what clients ask for, so they must not grow without bound.

export class BoundedCache<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      // Re-inserting moves the key to the end: Map iterates in insertion order.
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
  }

  delete(key: K): void {
    this.entries.delete(key);
  }

  /** The cached value, or the one `make` starts; a failed promise is not kept. */
  remember(key: K, make: () => V): V {
    let value = this.get(key);
    if (value === undefined) {
      value = make();
      this.set(key, value);
      if (value instanceof Promise) {
        const pending = value;
        pending.catch(() => this.entries.get(key) === pending && this.entries.delete(key));
      }
    }
    return value;
  }

  clear(): void {
    this.entries.clear();
  }
}
