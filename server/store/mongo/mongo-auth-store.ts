// The authorization server's state in MongoDB (server/store/auth-port.ts), in the same database as the
// resources, so that every process serving it sees the same revocations, used codes and rate limits.
// Each step that must happen once is one atomic single-document operation, with no transaction: a code
// is taken by findOneAndDelete, a refresh token rotated by findOneAndUpdate returning the state before,
// a hit counted by an upserting pipeline update, a client assertion's jti refused by a unique index.
// https://www.mongodb.com/docs/manual/core/write-operations-atomicity/
import { MongoServerError } from 'mongodb';
import type {
  AuthorizationCodeRecord,
  AuthStore,
  ClientRecord,
  LaunchRecord,
  RefreshTokenRecord,
  RefreshUse,
  UserRecord,
} from '../auth-port';
import type { AuthCollections } from './auth-collections';

const duplicateKey = 11000;

/** A `now` (ms since epoch) as the BSON date the documents' `expiresAt` is compared with. */
const at = (ms: number): Date => new Date(ms);

/** In an aggregation expression: the counter's window has passed (or the counter is new). */
const windowOver = (now: number): Record<string, unknown> => ({
  // $ifNull: a new document has no `expiresAt`; MongoDB would order the missing field before any date
  // anyway, but spelling it out keeps the expression unambiguous.
  $lte: [{ $ifNull: ['$expiresAt', { $literal: at(0) }] }, { $literal: at(now) }],
});

export class MongoAuthStore implements AuthStore {
  constructor(private readonly c: AuthCollections) {}

  async putClient(client: ClientRecord): Promise<void> {
    await this.c.clients.replaceOne({ _id: client.clientId }, { record: client }, { upsert: true });
  }

  async getClient(clientId: string): Promise<ClientRecord | undefined> {
    return (await this.c.clients.findOne({ _id: clientId }))?.record;
  }

  async listClients(): Promise<ClientRecord[]> {
    return (await this.c.clients.find({}).sort({ _id: 1 }).toArray()).map((d) => d.record);
  }

  async deleteClient(clientId: string): Promise<boolean> {
    return (await this.c.clients.deleteOne({ _id: clientId })).deletedCount === 1;
  }

  async putUser(user: UserRecord): Promise<void> {
    await this.c.users.replaceOne({ _id: user.account }, { record: user }, { upsert: true });
  }

  async getUser(account: string): Promise<UserRecord | undefined> {
    return (await this.c.users.findOne({ _id: account }))?.record;
  }

  async listUsers(): Promise<UserRecord[]> {
    return (await this.c.users.find({}).sort({ _id: 1 }).toArray()).map((d) => d.record);
  }

  async saveCode(code: AuthorizationCodeRecord): Promise<void> {
    await this.c.codes.insertOne({ _id: code.codeHash, record: code, expiresAt: at(code.expiresAt) });
  }

  async takeCode(codeHash: string, now: number): Promise<AuthorizationCodeRecord | undefined> {
    // Deleted whether or not it has expired: of two concurrent exchanges, only one gets the document.
    const doc = await this.c.codes.findOneAndDelete({ _id: codeHash });
    return doc && doc.expiresAt.getTime() > now ? doc.record : undefined;
  }

  async saveLaunch(launch: LaunchRecord): Promise<void> {
    await this.c.launches.insertOne({ _id: launch.launchId, record: launch, expiresAt: at(launch.expiresAt) });
  }

  async getLaunch(launchId: string, now: number): Promise<LaunchRecord | undefined> {
    return (await this.c.launches.findOne({ _id: launchId, expiresAt: { $gt: at(now) } }))?.record;
  }

  async saveRefreshToken(token: RefreshTokenRecord): Promise<void> {
    await this.c.refreshTokens.insertOne({ _id: token.tokenHash, record: token, familyId: token.familyId, used: false, expiresAt: at(token.expiresAt) });
  }

  async useRefreshToken(tokenHash: string, now: number): Promise<RefreshUse> {
    // Marks it used and returns the state before, in one step: of two processes presenting the same
    // token at once, exactly one sees it unused.
    const before = await this.c.refreshTokens.findOneAndUpdate(
      { _id: tokenHash, expiresAt: { $gt: at(now) } },
      { $set: { used: true } },
      { returnDocument: 'before' }
    );
    if (!before || (await this.isFamilyRevoked(before.familyId))) {
      return { status: 'invalid' };
    }
    if (before.used) {
      // Presented again after rotation: the family is revoked (RFC 6819 5.2.2.3).
      await this.revokeFamily(before.familyId);
      return { status: 'reused', record: before.record };
    }
    return { status: 'valid', record: before.record };
  }

  async revokeRefreshToken(tokenHash: string): Promise<boolean> {
    const token = await this.c.refreshTokens.findOne({ _id: tokenHash }, { projection: { familyId: 1 } });
    if (!token) {
      return false;
    }
    await this.revokeFamily(token.familyId);
    return true;
  }

  async peekRefreshToken(tokenHash: string, now: number): Promise<RefreshTokenRecord | undefined> {
    const token = await this.c.refreshTokens.findOne({ _id: tokenHash, used: false, expiresAt: { $gt: at(now) } });
    return token && !(await this.isFamilyRevoked(token.familyId)) ? token.record : undefined;
  }

  async revokeAccessToken(jti: string, expiresAt: number): Promise<void> {
    await this.c.revokedTokens.updateOne({ _id: jti }, { $max: { expiresAt: at(expiresAt) } }, { upsert: true });
  }

  async isAccessTokenRevoked(jti: string): Promise<boolean> {
    return (await this.c.revokedTokens.countDocuments({ _id: jti }, { limit: 1 })) > 0;
  }

  async useAssertionId(clientId: string, jti: string, expiresAt: number): Promise<boolean> {
    try {
      await this.c.assertionIds.insertOne({ clientId, jti, expiresAt: at(expiresAt) });
      return true;
    } catch (err) {
      // The unique index on (clientId, jti) refused it: the same client used this jti before.
      if (err instanceof MongoServerError && err.code === duplicateKey) {
        return false;
      }
      throw err;
    }
  }

  async countHit(key: string, windowMs: number, now: number): Promise<{ hits: number; resetAt: number }> {
    // One upserting pipeline update: a window that has passed starts again at this hit.
    const doc = await this.c.hits.findOneAndUpdate(
      { _id: key },
      [
        {
          $set: {
            hits: { $cond: [windowOver(now), 1, { $add: [{ $ifNull: ['$hits', 0] }, 1] }] },
            expiresAt: { $cond: [windowOver(now), { $literal: at(now + windowMs) }, '$expiresAt'] },
          },
        },
      ],
      { upsert: true, returnDocument: 'after' }
    );
    if (!doc) {
      throw new Error(`countHit: the upsert of ${key} returned no document`);
    }
    return { hits: doc.hits, resetAt: doc.expiresAt.getTime() };
  }

  async uncountHit(key: string): Promise<void> {
    await this.c.hits.updateOne({ _id: key, hits: { $gt: 0 } }, { $inc: { hits: -1 } });
  }

  async resetHits(key: string): Promise<void> {
    await this.c.hits.deleteOne({ _id: key });
  }

  async purgeExpired(now: number): Promise<void> {
    // The TTL indexes do this within a minute or so; start-up purges at once, as the SQLite store does.
    const expired = { expiresAt: { $lte: at(now) } };
    const c = this.c;
    await Promise.all([
      c.codes.deleteMany(expired),
      c.launches.deleteMany(expired),
      c.refreshTokens.deleteMany(expired),
      c.revokedFamilies.deleteMany(expired),
      c.revokedTokens.deleteMany(expired),
      c.assertionIds.deleteMany(expired),
      c.hits.deleteMany(expired),
    ]);
  }

  private async isFamilyRevoked(familyId: string): Promise<boolean> {
    return (await this.c.revokedFamilies.countDocuments({ _id: familyId }, { limit: 1 })) > 0;
  }

  /** A revoked family is remembered as long as any of its tokens could still be presented. */
  private async revokeFamily(familyId: string): Promise<void> {
    const [latest] = await this.c.refreshTokens.find({ familyId }, { projection: { expiresAt: 1 } }).sort({ expiresAt: -1 }).limit(1).toArray();
    await this.c.revokedFamilies.updateOne({ _id: familyId }, { $max: { expiresAt: latest?.expiresAt ?? at(0) } }, { upsert: true });
  }
}
