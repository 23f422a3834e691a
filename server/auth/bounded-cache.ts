// A map that keeps at most `limit` entries, dropping the oldest first: for what every request of one
// token works out the same (its verified claims, its parsed scopes, its restriction), which a client
// choosing its token or scopes freely must not be able to grow without end.
export class BoundedCache<V> {
  private readonly entries = new Map<string, V>();

  constructor(private readonly limit: number) {}

  get(key: string): V | undefined {
    return this.entries.get(key);
  }

  set(key: string, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limit) {
      this.entries.delete(this.entries.keys().next().value as string);
    }
    this.entries.set(key, value);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }

  /** The value kept for `key`, computed and kept on first use (undefined is a value too). */
  computed(key: string, compute: () => V): V {
    if (this.entries.has(key)) {
      return this.entries.get(key) as V;
    }
    const value = compute();
    this.set(key, value);
    return value;
  }
}
