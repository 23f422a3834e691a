// The contract every adapter's AuthStore meets (server/store/auth-port.ts); the SQLite adapter runs it in
// sqlite-auth-store.test.ts, and the MongoDB adapter can run the same suite.
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
}
