// Prepared statements, cached per connection: preparing costs more than running a simple statement.
import type { DatabaseSync, StatementSync } from 'node:sqlite';

export class StatementCache {
  private readonly statements = new Map<string, StatementSync>();
  constructor(readonly db: DatabaseSync) {}

  get(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }
}
