// The SQLite AuthStore beyond the contract (auth-store-contract.test.ts): state shared by two stores on
// one file, as two processes share it.
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { fileStore } from '../helpers/test-server';
import { scratchDir } from '../helpers/scratch-dir';

describe('SQLite auth store', () => {
  describe('shared by two connections to one file', () => {
    const dir = scratchDir('auth-store-');

    it('sees the other side’s revocations, used codes and rate-limit hits', async () => {
      const file = path.join(dir(), 'fhir.sqlite');
      const one = fileStore(file);
      const two = fileStore(file);
      try {
        const now = Date.now();
        await one.authStore().revokeAccessToken('j', now + 60_000);
        assert.equal(await two.authStore().isAccessTokenRevoked('j'), true);
        await one.authStore().saveCode({ codeHash: 'h', clientId: 'c', account: 'u', redirectUri: 'https://a/cb', scope: 's', expiresAt: now + 60_000 });
        assert.ok(await two.authStore().takeCode('h', now));
        assert.equal(await one.authStore().takeCode('h', now), undefined);
        await one.authStore().countHit('login:1.2.3.4', 60_000, now);
        assert.equal((await two.authStore().countHit('login:1.2.3.4', 60_000, now)).hits, 2);
      } finally {
        await one.close();
        await two.close();
      }
    });
  });
});
