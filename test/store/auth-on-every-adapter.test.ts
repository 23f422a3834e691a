// The authorization server on each adapter's state, end to end over HTTP: the code flow, refresh token
// rotation and reuse detection, revocation of both kinds of token, and the login rate limit, so that
// security on MongoDB is the same as on SQLite (SQLite always, the MongoDB adapter over mingo always,
// MongoDB whenever MONGODB_URL is set).
import { strict as assert } from 'node:assert';
import { appRedirect, createAuthTestServer, pkce, publicAppTokens, registerFlowFixtures, ticketOf, type AuthTestServer } from '../helpers/auth';
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { testBaseUrl } from '../helpers/test-server';

describe('the authorization server on every adapter', function () {
  this.timeout(60_000);
  forEachStoreAdapter((adapter) => {
    let server: AuthTestServer;
    beforeEach(async () => {
      server = createAuthTestServer({ store: await adapter.open(), limits: { login: 2, token: 100, accountLogin: 1000 } });
      await registerFlowFixtures(server.authStore, 'Organization/clinic-t');
    });
    afterEach(() => server.close());

    it('signs in, exchanges a code once, rotates a refresh token once and revokes its family when it comes back', async () => {
      const tokens = await publicAppTokens(server.http, 'dr-li', 'user/*.rs offline_access');
      assert.equal((await server.http.get('/Patient').set('Authorization', `Bearer ${tokens.body.access_token}`)).status, 200);
      const again = await server.http.post('/auth/token').type('form').send({
        grant_type: 'authorization_code', client_id: 'public-app', code: tokens.code, code_verifier: tokens.verifier, redirect_uri: appRedirect,
      });
      assert.equal(again.body.error, 'invalid_grant');
      const refresh = (token: string) => server.http.post('/auth/token').type('form').send({ grant_type: 'refresh_token', client_id: 'public-app', refresh_token: token });
      const rotated = await refresh(tokens.body.refresh_token);
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(rotated.body.refresh_token, tokens.body.refresh_token);
      assert.equal((await refresh(tokens.body.refresh_token)).body.error, 'invalid_grant', 'the rotated token came back');
      assert.equal((await refresh(rotated.body.refresh_token)).body.error, 'invalid_grant', 'its family was revoked');
    });

    it('refuses an access token once it is revoked', async () => {
      const tokens = await publicAppTokens(server.http, 'dr-li', 'user/*.rs');
      const read = () => server.http.get('/Patient').set('Authorization', `Bearer ${tokens.body.access_token}`);
      assert.equal((await read()).status, 200);
      assert.equal((await server.http.post('/auth/revoke').type('form').send({ client_id: 'public-app', token: tokens.body.access_token })).status, 200);
      const refused = await read();
      assert.equal(refused.status, 401);
      assert.match(refused.headers['www-authenticate'] as string, /revoked/);
    });

    it('answers 429 after too many failed logins', async () => {
      const page = await server.http.get('/auth/authorize').query({
        response_type: 'code', client_id: 'public-app', redirect_uri: appRedirect, scope: 'user/*.rs', state: 's', aud: testBaseUrl, code_challenge: pkce().challenge, code_challenge_method: 'S256',
      });
      const ticket = ticketOf(page.text);
      const tryLogin = () => server.http.post('/auth/login').type('form').send({ ticket, username: 'dr-li', password: 'not the password' });
      assert.deepEqual([(await tryLogin()).status, (await tryLogin()).status, (await tryLogin()).status], [401, 401, 429]);
    });
  });
});
