// The contract every adapter's AuthStore meets (server/store/auth-port.ts), run against every adapter by
// auth-store-contract.test.ts: the one-step operations (a code taken once, a refresh token rotated once,
// a jti used once) are tested under concurrent calls, and every expiry against the caller's `now`.
import { strict as assert } from 'node:assert';
import type { AuthStore, ClientRecord, UserRecord } from '../../server/store/auth-port';

export function authStoreContract(open: () => Promise<{ store: AuthStore; close(): Promise<void> }>): void {
  let store: AuthStore;
  let close: () => Promise<void>;
  beforeEach(async () => {
    ({ store, close } = await open());
  });
  afterEach(() => close());

  const client: ClientRecord = { clientId: 'c1', name: 'App', type: 'public', redirectUris: ['https://app.example/cb'], scopes: ['patient/*.rs'], organizations: [], roles: [], createdAt: '2026-01-01T00:00:00Z' };
  const user: UserRecord = { account: 'u1', displayName: 'U', passwordHash: 'scrypt$x', fhirUser: 'Patient/p1', roles: ['patient'], organizations: [], patients: [], createdAt: '2026-01-01T00:00:00Z' };

  it('keeps clients and users, replacing by id', async () => {
    await store.putClient(client);
    await store.putClient({ ...client, name: 'App 2' });
    assert.equal((await store.getClient('c1'))?.name, 'App 2');
    assert.equal((await store.listClients()).length, 1);
    assert.equal(await store.deleteClient('c1'), true);
    assert.equal(await store.getClient('c1'), undefined);
    await store.putUser(user);
    assert.deepEqual(await store.getUser('u1'), user);
    assert.deepEqual((await store.listUsers()).map((u) => u.account), ['u1']);
  });

  it('gives a code out once, and never after it expired', async () => {
    const now = Date.now();
    await store.saveCode({ codeHash: 'h1', clientId: 'c1', account: 'u1', redirectUri: 'https://app.example/cb', scope: 's', expiresAt: now + 60_000 });
    await store.saveCode({ codeHash: 'h2', clientId: 'c1', account: 'u1', redirectUri: 'https://app.example/cb', scope: 's', expiresAt: now - 1 });
    const [a, b] = await Promise.all([store.takeCode('h1', now), store.takeCode('h1', now)]);
    assert.equal([a, b].filter(Boolean).length, 1);
    assert.equal(await store.takeCode('h2', now), undefined);
  });

  it('rotates a refresh token once; presenting it again revokes its family', async () => {
    const now = Date.now();
    await store.saveRefreshToken({ tokenHash: 'r1', familyId: 'f', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    assert.equal((await store.useRefreshToken('r1', now)).status, 'valid');
    await store.saveRefreshToken({ tokenHash: 'r2', familyId: 'f', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    assert.ok(await store.peekRefreshToken('r2', now));
    assert.equal((await store.useRefreshToken('r1', now)).status, 'reused');
    assert.equal((await store.useRefreshToken('r2', now)).status, 'invalid');
    assert.equal(await store.peekRefreshToken('r2', now), undefined);
    assert.equal((await store.useRefreshToken('unknown', now)).status, 'invalid');
  });

  it('revokes a refresh token family and an access token', async () => {
    const now = Date.now();
    await store.saveRefreshToken({ tokenHash: 'r3', familyId: 'g', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    assert.equal(await store.revokeRefreshToken('r3'), true);
    assert.equal((await store.useRefreshToken('r3', now)).status, 'invalid');
    assert.equal(await store.isAccessTokenRevoked('j1'), false);
    await store.revokeAccessToken('j1', now + 60_000);
    assert.equal(await store.isAccessTokenRevoked('j1'), true);
  });

  it('refuses a client-assertion jti used before by the same client', async () => {
    const exp = Date.now() + 60_000;
    assert.equal(await store.useAssertionId('c1', 'j', exp), true);
    assert.equal(await store.useAssertionId('c1', 'j', exp), false);
    assert.equal(await store.useAssertionId('c2', 'j', exp), true);
  });

  it('counts hits per window, takes one back, and starts again after the window', async () => {
    const now = Date.now();
    assert.equal((await store.countHit('k', 1000, now)).hits, 1);
    assert.equal((await store.countHit('k', 1000, now + 10)).hits, 2);
    await store.uncountHit('k');
    assert.equal((await store.countHit('k', 1000, now + 20)).hits, 2);
    const after = await store.countHit('k', 1000, now + 1001);
    assert.equal(after.hits, 1);
    assert.equal(after.resetAt, now + 2001);
  });

  it('keeps launches until they expire, and purges what expired', async () => {
    const now = Date.now();
    await store.saveLaunch({ launchId: 'l1', account: 'u1', patient: 'p1', expiresAt: now + 1000 });
    assert.equal((await store.getLaunch('l1', now))?.patient, 'p1');
    assert.equal(await store.getLaunch('l1', now + 1000), undefined);
    await store.purgeExpired(now + 2000);
    assert.equal(await store.getLaunch('l1', now), undefined);
  });

  it('lists clients and users in key order, and deletes only what exists', async () => {
    await store.putClient({ ...client, clientId: 'c2' });
    await store.putClient(client);
    assert.deepEqual((await store.listClients()).map((c) => c.clientId), ['c1', 'c2']);
    assert.deepEqual(await store.getClient('c1'), client);
    assert.equal(await store.deleteClient('nobody'), false);
    await store.putUser({ ...user, account: 'u2' });
    await store.putUser(user);
    await store.putUser({ ...user, displayName: 'U again' });
    assert.deepEqual((await store.listUsers()).map((u) => u.account), ['u1', 'u2']);
    assert.equal((await store.getUser('u1'))?.displayName, 'U again');
    assert.equal(await store.getUser('nobody'), undefined);
  });

  it('gives a code back with everything it was saved with, and nothing for an unknown code', async () => {
    const now = Date.now();
    const code = { codeHash: 'h3', clientId: 'c1', account: 'u1', redirectUri: 'https://app.example/cb', scope: 'launch openid', codeChallenge: 'x', patient: 'p1', nonce: 'n', expiresAt: now + 60_000 };
    await store.saveCode(code);
    assert.deepEqual(await store.takeCode('h3', now), code);
    assert.equal(await store.takeCode('h3', now), undefined);
    assert.equal(await store.takeCode('unknown', now), undefined);
  });

  it('rotates a refresh token once when two callers present it at the same time, revoking its family', async () => {
    const now = Date.now();
    await store.saveRefreshToken({ tokenHash: 'r4', familyId: 'h', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    const uses = await Promise.all([store.useRefreshToken('r4', now), store.useRefreshToken('r4', now)]);
    assert.deepEqual(uses.map((u) => u.status).sort(), ['reused', 'valid']);
    await store.saveRefreshToken({ tokenHash: 'r5', familyId: 'h', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    assert.equal((await store.useRefreshToken('r5', now)).status, 'invalid', 'the family was revoked by the reuse');
  });

  it('refuses an expired refresh token, and revokes only the family of the one revoked', async () => {
    const now = Date.now();
    const token = { tokenHash: 'r6', familyId: 'i', clientId: 'c1', account: 'u1', scope: 's', patient: 'p1', expiresAt: now + 1000 };
    await store.saveRefreshToken(token);
    await store.saveRefreshToken({ tokenHash: 'r7', familyId: 'j', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    assert.deepEqual(await store.peekRefreshToken('r6', now), token);
    assert.equal(await store.peekRefreshToken('r6', now + 1000), undefined);
    assert.equal((await store.useRefreshToken('r6', now + 1000)).status, 'invalid');
    assert.equal(await store.revokeRefreshToken('unknown'), false);
    assert.equal(await store.revokeRefreshToken('r7'), true);
    assert.equal(await store.peekRefreshToken('r7', now), undefined);
    assert.deepEqual(await store.useRefreshToken('r6', now), { status: 'valid', record: token });
  });

  it('lets one of two concurrent uses of a client-assertion jti through', async () => {
    const exp = Date.now() + 60_000;
    const uses = await Promise.all([store.useAssertionId('c1', 'k', exp), store.useAssertionId('c1', 'k', exp)]);
    assert.deepEqual(uses.sort(), [false, true]);
  });

  it('counts concurrent hits each once, never takes back below zero, and resets a key alone', async () => {
    const now = Date.now();
    const counts = await Promise.all(Array.from({ length: 5 }, () => store.countHit('a', 60_000, now)));
    assert.deepEqual(counts.map((c) => c.hits).sort(), [1, 2, 3, 4, 5]);
    assert.ok(counts.every((c) => c.resetAt === now + 60_000));
    await store.countHit('b', 60_000, now);
    await store.resetHits('a');
    assert.equal((await store.countHit('a', 60_000, now)).hits, 1);
    assert.equal((await store.countHit('b', 60_000, now)).hits, 2);
    await store.uncountHit('a');
    await store.uncountHit('a');
    assert.equal((await store.countHit('a', 60_000, now)).hits, 1);
    await store.uncountHit('never counted');
  });

  it('purges every kind of expired state, and keeps what has not expired', async () => {
    const now = Date.now();
    await store.saveCode({ codeHash: 'old', clientId: 'c1', account: 'u1', redirectUri: 'https://app.example/cb', scope: 's', expiresAt: now + 10 });
    await store.saveCode({ codeHash: 'new', clientId: 'c1', account: 'u1', redirectUri: 'https://app.example/cb', scope: 's', expiresAt: now + 60_000 });
    await store.saveRefreshToken({ tokenHash: 'r-old', familyId: 'o', clientId: 'c1', scope: 's', expiresAt: now + 10 });
    await store.saveRefreshToken({ tokenHash: 'r-new', familyId: 'n', clientId: 'c1', scope: 's', expiresAt: now + 60_000 });
    await store.revokeAccessToken('j-old', now + 10);
    await store.revokeAccessToken('j-new', now + 60_000);
    await store.useAssertionId('c1', 'a-old', now + 10);
    await store.useAssertionId('c1', 'a-new', now + 60_000);
    await store.countHit('h-old', 10, now);
    await store.countHit('h-new', 60_000, now);
    await store.purgeExpired(now + 10);
    // What expired is gone, even read with an earlier clock; what has not is still there.
    assert.equal(await store.takeCode('old', now), undefined);
    assert.ok(await store.takeCode('new', now));
    assert.equal(await store.peekRefreshToken('r-old', now), undefined);
    assert.ok(await store.peekRefreshToken('r-new', now));
    assert.equal(await store.isAccessTokenRevoked('j-old'), false);
    assert.equal(await store.isAccessTokenRevoked('j-new'), true);
    assert.equal(await store.useAssertionId('c1', 'a-old', now + 60_000), true);
    assert.equal(await store.useAssertionId('c1', 'a-new', now + 60_000), false);
    assert.equal((await store.countHit('h-old', 60_000, now)).hits, 1);
    assert.equal((await store.countHit('h-new', 60_000, now)).hits, 2);
  });
}
