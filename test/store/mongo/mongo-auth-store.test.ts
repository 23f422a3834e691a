// What the MongoDB adapter's authorization state does beyond the AuthStore contract: its expiring
// documents carry BSON dates under TTL indexes (MongoDB's TTL monitor ignores any other type), one-time
// values are held by unique indexes, the indexes are created at start-up, and two processes on one
// database share revocations, codes and rate limits. Run over collections evaluated with mingo.
import { strict as assert } from 'node:assert';
import type { Collection, Document, IndexDescription } from 'mongodb';
import { authIndexes, ensureAuthIndexes, type AuthCollections } from '../../../server/store/mongo/auth-collections';
import { MongoAuthStore } from '../../../server/store/mongo/mongo-auth-store';
import { mingoAuthCollections } from '../../helpers/mingo-auth-collections';

const expiring: (keyof AuthCollections)[] = ['codes', 'launches', 'refreshTokens', 'revokedFamilies', 'revokedTokens', 'assertionIds', 'hits'];

function all(collections: AuthCollections, name: keyof AuthCollections): Promise<Document[]> {
  return (collections[name] as unknown as Collection<Document>).find({}).toArray();
}

describe('MongoDB auth store', () => {
  it('declares a TTL index on expiresAt for every collection of short-lived records, and unique jti per client', () => {
    for (const name of expiring) {
      const ttl = authIndexes[name].find((i) => i.expireAfterSeconds !== undefined);
      assert.deepEqual(ttl && { key: ttl.key, after: ttl.expireAfterSeconds }, { key: { expiresAt: 1 }, after: 0 }, name);
    }
    assert.deepEqual(authIndexes.clients, []);
    assert.deepEqual(authIndexes.users, []);
    const jti = authIndexes.assertionIds.find((i) => i.unique);
    assert.deepEqual(jti?.key, { clientId: 1, jti: 1 });
  });

  it('creates the declared indexes on each collection at start-up', async () => {
    const created = new Map<string, IndexDescription[]>();
    const recording = Object.fromEntries(
      Object.keys(authIndexes).map((name) => [name, { createIndexes: async (indexes: IndexDescription[]) => created.set(name, indexes) }])
    ) as unknown as AuthCollections;
    await ensureAuthIndexes(recording);
    assert.deepEqual(Object.fromEntries(created), Object.fromEntries(Object.entries(authIndexes).filter(([, indexes]) => indexes.length)));
  });

  it('stores every expiry as a BSON date, which the TTL indexes need', async () => {
    const collections = mingoAuthCollections();
    const store = new MongoAuthStore(collections);
    const now = Date.now();
    await store.saveCode({ codeHash: 'h', clientId: 'c', account: 'u', redirectUri: 'https://a/cb', scope: 's', expiresAt: now + 1000 });
    await store.saveLaunch({ launchId: 'l', account: 'u', patient: 'p', expiresAt: now + 1000 });
    await store.saveRefreshToken({ tokenHash: 'r', familyId: 'f', clientId: 'c', scope: 's', expiresAt: now + 1000 });
    await store.revokeRefreshToken('r');
    await store.revokeAccessToken('j', now + 1000);
    await store.useAssertionId('c', 'j', now + 1000);
    await store.countHit('k', 1000, now);
    for (const name of expiring) {
      const docs = await all(collections, name);
      assert.equal(docs.length, 1, name);
      assert.ok(docs[0].expiresAt instanceof Date && docs[0].expiresAt.getTime() === now + 1000, `${name}: ${String(docs[0].expiresAt)}`);
    }
  });

  it('keeps a revocation as long as the latest token of its family, and never shortens one', async () => {
    const collections = mingoAuthCollections();
    const store = new MongoAuthStore(collections);
    const now = Date.now();
    await store.saveRefreshToken({ tokenHash: 'r1', familyId: 'f', clientId: 'c', scope: 's', expiresAt: now + 1000 });
    await store.saveRefreshToken({ tokenHash: 'r2', familyId: 'f', clientId: 'c', scope: 's', expiresAt: now + 5000 });
    await store.revokeRefreshToken('r1');
    assert.deepEqual(await collections.revokedFamilies.find({}).toArray(), [{ _id: 'f', expiresAt: new Date(now + 5000) }]);
    await store.revokeAccessToken('j', now + 9000);
    await store.revokeAccessToken('j', now + 1000);
    assert.deepEqual(await collections.revokedTokens.find({}).toArray(), [{ _id: 'j', expiresAt: new Date(now + 9000) }]);
  });

  it('shares revocations, used codes and rate-limit hits between two processes on one database', async () => {
    const collections = mingoAuthCollections();
    const one = new MongoAuthStore(collections);
    const two = new MongoAuthStore(collections);
    const now = Date.now();
    await one.revokeAccessToken('j', now + 60_000);
    assert.equal(await two.isAccessTokenRevoked('j'), true);
    await one.saveCode({ codeHash: 'h', clientId: 'c', account: 'u', redirectUri: 'https://a/cb', scope: 's', expiresAt: now + 60_000 });
    assert.ok(await two.takeCode('h', now));
    assert.equal(await one.takeCode('h', now), undefined);
    await one.countHit('login:1.2.3.4', 60_000, now);
    assert.equal((await two.countHit('login:1.2.3.4', 60_000, now)).hits, 2);
    await one.saveRefreshToken({ tokenHash: 'r', familyId: 'f', clientId: 'c', scope: 's', expiresAt: now + 60_000 });
    assert.equal((await two.useRefreshToken('r', now)).status, 'valid');
    assert.equal((await one.useRefreshToken('r', now)).status, 'reused');
  });
});
