// The signing key ring: generated once into its file (mode 0600), read back, rotated with the previous
// key still published.
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SigningKeyRing } from '../../server/auth/signing-keys';

describe('signing keys', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'keys-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('generates the ring on first open, readable only by its owner, and reads the same key later', () => {
    const file = path.join(dir, 'sub', 'auth-keys.json');
    const first = SigningKeyRing.open(file);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(SigningKeyRing.open(file).current().kid, first.current().kid);
    const jwks = first.jwks();
    assert.equal(jwks.keys.length, 1);
    assert.equal(jwks.keys[0].kty, 'RSA');
    assert.equal(jwks.keys[0].alg, 'RS256');
    assert.equal(jwks.keys[0].d, undefined, 'no private part is published');
  });

  it('rotates: the new key signs, the previous one stays published, the one before is dropped', () => {
    const file = path.join(dir, 'auth-keys.json');
    const ring = SigningKeyRing.open(file);
    const original = ring.current().kid;
    const second = ring.rotate();
    assert.equal(ring.current().kid, second);
    assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [original, second]);
    const third = ring.rotate();
    assert.deepEqual(ring.jwks().keys.map((k) => k.kid), [second, third]);
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
  });

  it('finds a key another process added to the file', () => {
    const file = path.join(dir, 'auth-keys.json');
    const ours = SigningKeyRing.open(file);
    const added = SigningKeyRing.open(file).rotate();
    assert.equal(ours.find(added)?.kid, added);
  });
});
