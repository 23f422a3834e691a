// Prepared statements, cached per connection: preparing costs more than running a simple statement.
// Bounded: a search's SQL has the shape of its query (how many values, which modifiers, which sort),
// which clients choose, and each statement SQLite keeps prepared holds 15 KB to 100 KB of native memory.
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { BoundedCache } from '../../terminology/bounded-cache';

/** Statements kept per connection: several times what the search mix and every write prepare. */
export const statementsCached = 512;

export class StatementCache {
  // A statement dropped here is finalized when it is collected.
  private readonly statements = new BoundedCache<string, StatementSync>(statementsCached);
  constructor(readonly db: DatabaseSync) {}

  get(sql: string): StatementSync {
    return this.statements.remember(sql, () => this.db.prepare(sql));
  }
}
