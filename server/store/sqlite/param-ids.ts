// Small integer ids for (resource type, search parameter code), kept in search_params and cached.
// Ids are created inside the caller's write transaction; several processes may race to create the
// same one, so creation is INSERT OR IGNORE followed by a read.
import type { StatementCache } from './statement-cache';

export class ParamIds {
  private readonly cache = new Map<string, number>();
  /** Ids created in the open transaction, in order: forgotten again if it (or a savepoint) rolls back. */
  private readonly uncommitted: string[] = [];

  /** A point to roll back to (see rollbackTo). */
  mark(): number {
    return this.uncommitted.length;
  }

  /** Forgets the ids created since the mark: their rows were rolled back. */
  rollbackTo(mark: number): void {
    for (const cacheKey of this.uncommitted.splice(mark)) {
      this.cache.delete(cacheKey);
    }
  }

  /** The transaction committed: its ids are permanent. */
  committed(): void {
    this.uncommitted.length = 0;
  }

  /** The id, creating it if needed (write connection, inside a transaction). */
  obtain(writes: StatementCache, resourceType: string, code: string): number {
    const known = this.lookup(writes, resourceType, code);
    if (known !== undefined) {
      return known;
    }
    const { changes } = writes.get('INSERT OR IGNORE INTO search_params (resource_type, code) VALUES (?, ?)').run(resourceType, code);
    const id = this.lookup(writes, resourceType, code) as number;
    if (changes) {
      this.uncommitted.push(`${resourceType}\u0000${code}`);
    }
    return id;
  }

  /** The id if the parameter has ever been indexed; undefined means no resource has a value for it. */
  lookup(statements: StatementCache, resourceType: string, code: string): number | undefined {
    const cacheKey = `${resourceType}\u0000${code}`;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) {
      return cached;
    }
    const row = statements
      .get('SELECT param_id FROM search_params WHERE resource_type = ? AND code = ?')
      .get(resourceType, code) as { param_id: number } | undefined;
    if (row) {
      this.cache.set(cacheKey, row.param_id);
    }
    return row?.param_id;
  }
}
