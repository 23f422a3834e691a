// The authorization server's state in the same SQLite file as the resources (schema migration 3).
// Writes go through the store's write queue (one writer, BEGIN IMMEDIATE across processes), so that a
// code is taken once and a refresh token rotated once even when several processes serve the file;
// reads use the read connection and see every committed write of every process.
import type { SQLInputValue } from 'node:sqlite';
import type {
  AuthorizationCodeRecord,
  AuthStore,
  ClientRecord,
  LaunchRecord,
  RefreshTokenRecord,
  RefreshUse,
  UserRecord,
} from '../auth-port';
import type { StatementCache } from './statement-cache';

/** Runs `work` on the writer connection inside the store's write queue (one transaction). */
export type ExclusiveWrite = <T>(work: (db: StatementCache) => T) => Promise<T>;

type Row = Record<string, SQLInputValue>;

export class SqliteAuthStore implements AuthStore {
  constructor(
    private readonly write: ExclusiveWrite,
    /** The read connection's statements (the writer's, in memory). */
    private readonly reads: StatementCache
  ) {}

  private get<T>(sql: string, ...params: SQLInputValue[]): T | undefined {
    return this.reads.get(sql).get(...params) as T | undefined;
  }

  private run(sql: string, ...params: SQLInputValue[]): Promise<void> {
    return this.write((db) => {
      db.get(sql).run(...params);
    });
  }

  putClient(client: ClientRecord): Promise<void> {
    return this.run('INSERT OR REPLACE INTO auth_clients (client_id, content) VALUES (?, ?)', client.clientId, JSON.stringify(client));
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    const row = this.get<Row>('SELECT content FROM auth_clients WHERE client_id = ?', clientId);
    return row ? (JSON.parse(row.content as string) as ClientRecord) : undefined;
  }

  async listClients(): Promise<ClientRecord[]> {
    const rows = this.reads.get('SELECT content FROM auth_clients ORDER BY client_id').all() as Row[];
    return rows.map((r) => JSON.parse(r.content as string) as ClientRecord);
  }

  deleteClient(clientId: string): Promise<boolean> {
    return this.write((db) => Number(db.get('DELETE FROM auth_clients WHERE client_id = ?').run(clientId).changes) > 0);
  }

  putUser(user: UserRecord): Promise<void> {
    return this.run('INSERT OR REPLACE INTO auth_users (account, content) VALUES (?, ?)', user.account, JSON.stringify(user));
  }

  async getUser(account: string): Promise<UserRecord | undefined> {
    const row = this.get<Row>('SELECT content FROM auth_users WHERE account = ?', account);
    return row ? (JSON.parse(row.content as string) as UserRecord) : undefined;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = this.reads.get('SELECT content FROM auth_users ORDER BY account').all() as Row[];
    return rows.map((r) => JSON.parse(r.content as string) as UserRecord);
  }

  saveCode(code: AuthorizationCodeRecord): Promise<void> {
    return this.run('INSERT INTO auth_codes (code_hash, content, expires_at) VALUES (?, ?, ?)', code.codeHash, JSON.stringify(code), code.expiresAt);
  }

  takeCode(codeHash: string, now: number): Promise<AuthorizationCodeRecord | undefined> {
    return this.write((db) => {
      const row = db.get('DELETE FROM auth_codes WHERE code_hash = ? RETURNING content, expires_at').get(codeHash) as Row | undefined;
      return row && (row.expires_at as number) > now ? (JSON.parse(row.content as string) as AuthorizationCodeRecord) : undefined;
    });
  }

  saveLaunch(launch: LaunchRecord): Promise<void> {
    return this.run('INSERT INTO auth_launches (launch_id, content, expires_at) VALUES (?, ?, ?)', launch.launchId, JSON.stringify(launch), launch.expiresAt);
  }

  async getLaunch(launchId: string, now: number): Promise<LaunchRecord | undefined> {
    const row = this.get<Row>('SELECT content FROM auth_launches WHERE launch_id = ? AND expires_at > ?', launchId, now);
    return row ? (JSON.parse(row.content as string) as LaunchRecord) : undefined;
  }

  saveRefreshToken(token: RefreshTokenRecord): Promise<void> {
    return this.run(
      'INSERT INTO auth_refresh_tokens (token_hash, family_id, content, expires_at) VALUES (?, ?, ?, ?)',
      token.tokenHash,
      token.familyId,
      JSON.stringify(token),
      token.expiresAt
    );
  }

  useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse> {
    return this.write((db): RefreshUse => {
      const row = db.get('SELECT content, used, expires_at, family_id FROM auth_refresh_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
      if (!row || (row.expires_at as number) <= now) {
        return { status: 'invalid' };
      }
      const record = JSON.parse(row.content as string) as RefreshTokenRecord;
      const familyRevoked = db.get('SELECT 1 AS x FROM auth_revoked_families WHERE family_id = ?').get(row.family_id as string);
      if (familyRevoked) {
        return { status: 'invalid' };
      }
      if (row.used) {
        db.get('INSERT OR REPLACE INTO auth_revoked_families (family_id, expires_at) VALUES (?, ?)').run(record.familyId, maxFamilyExpiry(db, record.familyId));
        return { status: 'reused', record };
      }
      db.get('UPDATE auth_refresh_tokens SET used = 1 WHERE token_hash = ?').run(tokenHash);
      return { status: 'valid', record };
    });
  }

  revokeRefreshToken(tokenHash: string): Promise<boolean> {
    return this.write((db) => {
      const row = db.get('SELECT family_id FROM auth_refresh_tokens WHERE token_hash = ?').get(tokenHash) as Row | undefined;
      if (!row) {
        return false;
      }
      const familyId = row.family_id as string;
      db.get('INSERT OR REPLACE INTO auth_revoked_families (family_id, expires_at) VALUES (?, ?)').run(familyId, maxFamilyExpiry(db, familyId));
      return true;
    });
  }

  async peekRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRecord | undefined> {
    const row = this.get<Row>(
      `SELECT content FROM auth_refresh_tokens t WHERE token_hash = ? AND used = 0 AND expires_at > ?
         AND NOT EXISTS (SELECT 1 FROM auth_revoked_families f WHERE f.family_id = t.family_id)`,
      tokenHash,
      now
    );
    return row ? (JSON.parse(row.content as string) as RefreshTokenRecord) : undefined;
  }

  revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    return this.run('INSERT OR REPLACE INTO auth_revoked_tokens (jti, expires_at) VALUES (?, ?)', jti, expiresAt);
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return this.get('SELECT 1 AS x FROM auth_revoked_tokens WHERE jti = ?', jti) !== undefined;
  }

  useAssertionId(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    return this.write((db) => {
      const result = db.get('INSERT OR IGNORE INTO auth_assertion_ids (client_id, jti, expires_at) VALUES (?, ?, ?)').run(clientId, jti, expiresAt);
      return Number(result.changes) === 1;
    });
  }

  countHit(key: string, windowMs: number, now: number): Promise<{ hits: number; resetAt: number }> {
    return this.write((db) => {
      // A window that has passed starts again at this hit.
      const row = db
        .get(
          `INSERT INTO auth_hits (key, hits, reset_at) VALUES (?, 1, ?)
           ON CONFLICT (key) DO UPDATE SET
             hits = CASE WHEN reset_at <= ? THEN 1 ELSE hits + 1 END,
             reset_at = CASE WHEN reset_at <= ? THEN excluded.reset_at ELSE reset_at END
           RETURNING hits, reset_at`
        )
        .get(key, now + windowMs, now, now) as Row;
      return { hits: row.hits as number, resetAt: row.reset_at as number };
    });
  }

  uncountHit(key: string): Promise<void> {
    return this.run('UPDATE auth_hits SET hits = MAX(hits - 1, 0) WHERE key = ?', key);
  }

  resetHits(key: string): Promise<void> {
    return this.run('DELETE FROM auth_hits WHERE key = ?', key);
  }

  purgeExpired(now: number): Promise<void> {
    return this.write((db) => {
      for (const table of ['auth_codes', 'auth_launches', 'auth_revoked_tokens', 'auth_assertion_ids', 'auth_revoked_families', 'auth_refresh_tokens']) {
        db.get(`DELETE FROM ${table} WHERE expires_at <= ?`).run(now);
      }
      db.get('DELETE FROM auth_hits WHERE reset_at <= ?').run(now);
    });
  }
}

/** A revoked family is remembered as long as any of its tokens could still be presented. */
function maxFamilyExpiry(db: StatementCache, familyId: string): number {
  const row = db.get('SELECT MAX(expires_at) AS m FROM auth_refresh_tokens WHERE family_id = ?').get(familyId) as Row;
  return Number(row.m ?? 0);
}
