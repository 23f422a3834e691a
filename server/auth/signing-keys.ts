// The RS256 keys access tokens and id_tokens are signed with. They live in one JSON file (FHIR_AUTH_KEYS_FILE,
// by default in FHIR_DATA_DIR), readable only by its owner, generated on first start if absent. The newest
// key signs; older ones stay published in the JWKS (RFC 7517) until rotated out, so tokens they signed keep
// verifying. Several processes share the file: one that meets an unknown key id reads it again.
import { createPrivateKey, createPublicKey, generateKeyPairSync, createHash, type KeyObject } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  createdAt: string;
}

interface StoredKey {
  kid: string;
  privateKeyPem: string;
  createdAt: string;
}

/** How many keys the ring keeps: the signing key and the one before it. */
const keptKeys = 2;

export class SigningKeyRing {
  private keys: SigningKey[];
  private lastReload = 0;

  private constructor(
    keys: SigningKey[],
    /** Where the ring is kept; undefined for a ring in memory (tests). */
    private readonly file: string | undefined
  ) {
    this.keys = keys;
  }

  /** Reads the ring from `file`, generating a first key (and the file, mode 0600) when it is absent. */
  static open(file: string): SigningKeyRing {
    if (!fs.existsSync(file)) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      writeRing(file, [toStored(generateKey())], true);
    }
    return new SigningKeyRing(readRing(file), file);
  }

  static inMemory(keys: SigningKey[] = [generateKey()]): SigningKeyRing {
    return new SigningKeyRing(keys, undefined);
  }

  /** The key new tokens are signed with. */
  current(): SigningKey {
    return this.keys[this.keys.length - 1];
  }

  /** The key with this id; the file is read again (at most once a second) for an id not yet known. */
  find(kid: string | undefined): SigningKey | undefined {
    const known = this.keys.find((k) => k.kid === kid);
    if (known || !this.file || Date.now() - this.lastReload < 1000) {
      return known;
    }
    this.lastReload = Date.now();
    this.keys = readRing(this.file);
    return this.keys.find((k) => k.kid === kid);
  }

  /** The public keys, as the JWKS endpoint serves them. */
  jwks(): { keys: Record<string, unknown>[] } {
    return {
      keys: this.keys.map((k) => ({ ...(k.publicKey.export({ format: 'jwk' }) as Record<string, unknown>), kid: k.kid, alg: 'RS256', use: 'sig' })),
    };
  }

  /** Adds a new signing key; the oldest beyond the previous one is dropped. Returns the new key id. */
  rotate(): string {
    if (this.file) {
      this.keys = readRing(this.file);
    }
    const key = generateKey();
    this.keys = [...this.keys, key].slice(-keptKeys);
    if (this.file) {
      writeRing(this.file, this.keys.map(toStored), false);
    }
    return key.kid;
  }
}

export function generateKey(): SigningKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: thumbprint(publicKey), privateKey, publicKey, createdAt: new Date().toISOString() };
}

/** The JWK thumbprint (RFC 7638) of an RSA public key: stable, and says nothing else. */
function thumbprint(publicKey: KeyObject): string {
  const { e, n } = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(JSON.stringify({ e, kty: 'RSA', n })).digest('base64url');
}

function toStored(key: SigningKey): StoredKey {
  return { kid: key.kid, privateKeyPem: key.privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(), createdAt: key.createdAt };
}

function readRing(file: string): SigningKey[] {
  const stored = (JSON.parse(fs.readFileSync(file, 'utf8')) as { keys: StoredKey[] }).keys;
  if (!Array.isArray(stored) || stored.length === 0) {
    throw new Error(`${file} holds no signing keys; delete it to have one generated`);
  }
  return stored.map((s) => {
    const privateKey = createPrivateKey(s.privateKeyPem);
    return { kid: s.kid, privateKey, publicKey: createPublicKey(privateKey), createdAt: s.createdAt };
  });
}

/** Written to a temporary file and renamed, so a reader never sees half a ring; mode 0600. */
function writeRing(file: string, keys: StoredKey[], exclusive: boolean): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify({ keys }, null, 2), { mode: 0o600 });
  if (!exclusive) {
    fs.renameSync(temporary, file);
    return;
  }
  try {
    // link fails if the file exists: of two processes generating the first ring at once, one wins.
    fs.linkSync(temporary, file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw err;
    }
  } finally {
    fs.rmSync(temporary);
  }
}
