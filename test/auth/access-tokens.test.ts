// Access tokens: what verify accepts and every forgery it refuses.
import { strict as assert } from 'node:assert';
import jwt from 'jsonwebtoken';
import { AccessTokens, InvalidTokenError, type Grant } from '../../server/auth/access-tokens';
import { SigningKeyRing } from '../../server/auth/signing-keys';
import { testKeyRing } from '../helpers/auth';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileStore, memoryStore } from '../helpers/test-server';

const grant: Grant = { kind: 'user', clientId: 'app', account: 'clinician', fhirUser: 'PractitionerRole/r1', roles: ['clinician'], organizations: ['Organization/c1'], scopes: ['user/*.rs'] };
const issuer = 'http://fhir.test';

describe('access tokens', () => {
  const store = memoryStore();
  const keys = testKeyRing();
  const tokens = new AccessTokens(keys, store.authStore(), issuer, issuer);
  after(() => store.close());

  async function refused(token: string, pattern: RegExp): Promise<void> {
    await assert.rejects(tokens.verify(token), (err: unknown) => err instanceof InvalidTokenError && pattern.test(err.message));
  }

  it('verifies its own tokens and carries the grant', async () => {
    const claims = await tokens.verify(tokens.issue(grant).token);
    assert.equal(claims.sub, 'clinician');
    assert.equal(claims.scope, 'user/*.rs');
    assert.deepEqual(claims.orgs, ['Organization/c1']);
    assert.equal(claims.iss, issuer);
  });

  it('refuses a tampered token', async () => {
    const [header, payload, signature] = tokens.issue(grant).token.split('.');
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['administrator'] })).toString('base64url');
    await refused(`${header}.${forged}.${signature}`, /invalid signature/);
  });

  it('refuses an expired token', async () => {
    const key = keys.current();
    const expired = jwt.sign({ client_id: 'app', scope: 'user/*.rs', kind: 'user', roles: [], orgs: [], exp: Math.floor(Date.now() / 1000) - 10 }, key.privateKey, {
      algorithm: 'RS256', keyid: key.kid, issuer, audience: issuer, jwtid: 'x',
    });
    await refused(expired, /expired/);
  });

  it('refuses a token for another audience or from another issuer', async () => {
    await refused(new AccessTokens(keys, store.authStore(), issuer, 'http://other.test').issue(grant).token, /audience/);
    await refused(new AccessTokens(keys, store.authStore(), 'http://evil.test', issuer).issue(grant).token, /issuer/);
  });

  it("refuses alg none, and HS256 keyed with the server's public key", async () => {
    const key = keys.current();
    const claims = { client_id: 'app', scope: 'user/*.cruds', kind: 'user', roles: ['administrator'], orgs: [], jti: 'n' };
    const none = jwt.sign(claims, '', { algorithm: 'none', keyid: key.kid, issuer, audience: issuer });
    await refused(none, /signature is required|invalid algorithm/);
    const publicPem = key.publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: key.kid })).toString('base64url');
    const body = Buffer.from(JSON.stringify({ ...claims, iss: issuer, aud: issuer, exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url');
    const mac = (await import('node:crypto')).createHmac('sha256', publicPem).update(`${header}.${body}`).digest('base64url');
    await refused(`${header}.${body}.${mac}`, /invalid algorithm/);
  });

  it('refuses a token signed by a key not in the ring, and one revoked', async () => {
    const stranger = new AccessTokens(SigningKeyRing.inMemory(), store.authStore(), issuer, issuer);
    await refused(stranger.issue(grant).token, /not signed by a key of this server/);
    const { token, jti } = tokens.issue(grant);
    await store.authStore().revokeAccessToken(jti, Date.now() + 60_000);
    await refused(token, /revoked/);
  });

  it('refuses a token verified before as soon as it is revoked, in every process sharing the store', async () => {
    // Two stores on one file, each with its own issuer and cache of verified tokens, stand for two processes.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-tokens-'));
    const [one, two] = [fileStore(path.join(dir, 'fhir.sqlite')), fileStore(path.join(dir, 'fhir.sqlite'))];
    try {
      const [first, second] = [one, two].map((s) => new AccessTokens(keys, s.authStore(), issuer, issuer));
      const { token, jti } = first.issue(grant);
      assert.equal((await first.verify(token)).jti, jti);
      assert.equal((await second.verify(token)).jti, jti);
      await one.authStore().revokeAccessToken(jti, Date.now() + 60_000);
      await assert.rejects(first.verify(token), /revoked/);
      await assert.rejects(second.verify(token), /revoked/);
    } finally {
      await one.close();
      await two.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('skips the revocation lookup only while the commit reading is unchanged, and sees another process\'s revocation at once', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'access-tokens-'));
    const [one, two] = [fileStore(path.join(dir, 'fhir.sqlite')), fileStore(path.join(dir, 'fhir.sqlite'))];
    try {
      const lookups: string[] = [];
      const auth = two.authStore();
      const counted = Object.assign(Object.create(auth) as typeof auth, {
        isAccessTokenRevoked: (jti: string): Promise<boolean> => {
          lookups.push(jti);
          return auth.isAccessTokenRevoked(jti);
        },
      });
      const second = new AccessTokens(keys, counted, issuer, issuer);
      const { token, jti } = second.issue(grant);
      const before = two.commitReading?.();
      assert.notEqual(before, undefined);
      await second.verify(token, before);
      await second.verify(token, two.commitReading?.());
      assert.equal(lookups.length, 1, 'nothing committed: one lookup for two requests');
      await second.verify(token);
      assert.equal(lookups.length, 2, 'without a reading the lookup is made');
      // Revoked through the other "process": the next reading differs, so the lookup is made and refuses.
      await one.authStore().revokeAccessToken(jti, Date.now() + 60_000);
      const after = two.commitReading?.();
      assert.notEqual(after, before);
      await assert.rejects(second.verify(token, after), /revoked/);
      const inMemory = memoryStore();
      assert.equal(inMemory.commitReading?.(), undefined, 'one connection in memory: its own commits leave data_version as it was, so no reading');
      await inMemory.close();
    } finally {
      await one.close();
      await two.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a token verified before once its key is rotated out of the ring, or once it expires', async () => {
    const ring = SigningKeyRing.inMemory();
    const rotating = new AccessTokens(ring, store.authStore(), issuer, issuer);
    const old = rotating.issue(grant).token;
    await rotating.verify(old);
    ring.rotate();
    await rotating.verify(old);
    ring.rotate();
    await assert.rejects(rotating.verify(old), /not signed by a key of this server/);
    const shortLived = tokens.issue(grant, 1).token;
    await tokens.verify(shortLived);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await refused(shortLived, /expired/);
  });

  it('signs id_tokens for the client with the fhirUser URL and nonce', () => {
    const idToken = tokens.issueIdToken(grant, 'n-1');
    const claims = jwt.verify(idToken, keys.current().publicKey, { algorithms: ['RS256'], audience: 'app', issuer }) as jwt.JwtPayload;
    assert.equal(claims.fhirUser, `${issuer}/PractitionerRole/r1`);
    assert.equal(claims.nonce, 'n-1');
  });
});
