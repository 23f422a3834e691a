// The authorization server's other endpoints: discovery, JWKS and key rotation, introspection,
// revocation, CORS for registered apps, rate limits, the admin API, and a request log free of secrets.
import { strict as assert } from 'node:assert';
import { Writable } from 'node:stream';
import pino from 'pino';
import { registerClient } from '../../server/auth/accounts';
import { smartCapabilities } from '../../server/auth/discovery';
import { appRedirect, createAuthTestServer, pkce, publicAppTokens, registerFlowFixtures, testPassword, ticketOf, type AuthTestServer } from '../helpers/auth';
import { testBaseUrl } from '../helpers/test-server';

describe('authorization server endpoints', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let confidentialSecret: string;
  before(async () => {
    server = createAuthTestServer();
    ({ confidentialSecret } = await registerFlowFixtures(server.authStore, 'Organization/clinic-t'));
  });
  after(() => server.close());

  it('publishes every required and recommended discovery field', async () => {
    const res = await server.http.get('/.well-known/smart-configuration');
    assert.equal(res.status, 200);
    for (const field of ['issuer', 'jwks_uri', 'authorization_endpoint', 'token_endpoint', 'token_endpoint_auth_methods_supported', 'grant_types_supported',
      'scopes_supported', 'response_types_supported', 'introspection_endpoint', 'revocation_endpoint', 'code_challenge_methods_supported', 'capabilities']) {
      assert.ok(res.body[field] !== undefined, field);
    }
    assert.deepEqual(res.body.code_challenge_methods_supported, ['S256']);
    assert.equal(res.body.token_endpoint, `${testBaseUrl}/auth/token`);
    for (const capability of ['launch-ehr', 'launch-standalone', 'client-public', 'client-confidential-symmetric', 'client-confidential-asymmetric',
      'context-ehr-patient', 'context-standalone-patient', 'permission-patient', 'permission-user', 'permission-offline', 'permission-v1', 'permission-v2',
      'sso-openid-connect', 'authorize-post']) {
      assert.ok(res.body.capabilities.includes(capability), capability);
    }
    assert.deepEqual(res.body.capabilities, smartCapabilities);
  });

  it('answers its paths in any case and with a trailing slash, as express routes match, and leaves the rest to the FHIR API', async () => {
    for (const path of ['/auth/jwks', '/AUTH/JWKS', '/auth/jwks/']) {
      const res = await server.http.get(path);
      assert.equal(res.status, 200, path);
      assert.ok(Array.isArray(res.body.keys), path);
    }
    const fhir = await server.http.get('/authors');
    assert.equal(fhir.status, 401, 'not an authorization server path: the FHIR API asks for a token');
    assert.equal(fhir.body.resourceType, 'OperationOutcome');
  });

  it('declares SMART in the CapabilityStatement, which needs no token', async () => {
    const res = await server.http.get('/metadata');
    assert.equal(res.status, 200);
    const security = res.body.rest[0].security;
    assert.equal(security.service[0].coding[0].code, 'SMART-on-FHIR');
    const uris = security.extension.find((e: { url: string }) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris');
    const byName = Object.fromEntries(uris.extension.map((e: { url: string; valueUri: string }) => [e.url, e.valueUri]));
    assert.deepEqual(byName, {
      authorize: `${testBaseUrl}/auth/authorize`,
      token: `${testBaseUrl}/auth/token`,
      introspect: `${testBaseUrl}/auth/introspect`,
      revoke: `${testBaseUrl}/auth/revoke`,
    });
  });

  it('introspects a token for a confidential client, and not after its revocation', async () => {
    const token = server.token({ account: 'dr-li', clientId: 'confidential-app', roles: ['clinician'], scopes: ['user/*.rs'] });
    const introspect = () => server.http.post('/auth/introspect').auth('confidential-app', confidentialSecret).type('form').send({ token });
    const active = await introspect();
    assert.equal(active.status, 200, active.text);
    assert.equal(active.body.active, true);
    assert.equal(active.body.scope, 'user/*.rs');
    assert.equal(active.body.sub, 'dr-li');
    const publicTry = await server.http.post('/auth/introspect').type('form').send({ token, client_id: 'public-app' });
    assert.equal(publicTry.status, 401);
    const revoked = await server.http.post('/auth/revoke').auth('confidential-app', confidentialSecret).type('form').send({ token });
    assert.equal(revoked.status, 200);
    assert.deepEqual((await introspect()).body, { active: false });
    const use = await server.http.get('/Patient').set('Authorization', `Bearer ${token}`);
    assert.equal(use.status, 401);
    assert.match(use.headers['www-authenticate'] as string, /revoked/);
    assert.equal((await server.http.post('/auth/revoke').auth('confidential-app', confidentialSecret).type('form').send({ token: 'unknown' })).status, 200);
  });

  it('revokes a refresh token a public client holds', async () => {
    const tokens = await publicAppTokens(server.http, 'dr-li', 'user/*.rs offline_access');
    const introspected = await server.http.post('/auth/introspect').set('Authorization', `Bearer ${server.token()}`).type('form').send({ token: tokens.body.refresh_token });
    assert.equal(introspected.body.active, true);
    assert.equal(introspected.body.token_type, 'refresh_token');
    await server.http.post('/auth/revoke').type('form').send({ client_id: 'public-app', token: tokens.body.refresh_token });
    const refreshed = await server.http.post('/auth/token').type('form').send({ grant_type: 'refresh_token', client_id: 'public-app', refresh_token: tokens.body.refresh_token });
    assert.equal(refreshed.body.error, 'invalid_grant');
  });

  it('rotates the signing key by the admin API; tokens of the previous key keep working', async () => {
    const before = server.token();
    const jwks = (await server.http.get('/auth/jwks')).body as { keys: { kid: string }[] };
    const rotated = await server.http.post('/auth/admin/keys/rotate').set('Authorization', `Bearer ${before}`);
    assert.equal(rotated.status, 200);
    const after = (await server.http.get('/auth/jwks')).body as { keys: { kid: string }[] };
    assert.deepEqual(after.keys.map((k) => k.kid), [...jwks.keys.map((k) => k.kid), rotated.body.kid].slice(-2));
    const fresh = server.token();
    assert.equal(JSON.parse(Buffer.from(fresh.split('.')[0], 'base64url').toString()).kid, rotated.body.kid);
    assert.equal((await server.http.get('/Patient').set('Authorization', `Bearer ${before}`)).status, 200);
    assert.equal((await server.http.get('/Patient').set('Authorization', `Bearer ${fresh}`)).status, 200);
  });

  it('answers CORS preflights for registered app origins only', async () => {
    const allowed = await server.http.options('/Patient').set('Origin', 'https://app.example').set('Access-Control-Request-Method', 'GET').set('Access-Control-Request-Headers', 'authorization');
    assert.equal(allowed.status, 204);
    assert.equal(allowed.headers['access-control-allow-origin'], 'https://app.example');
    assert.match(allowed.headers['access-control-allow-headers'] as string, /Authorization/);
    const token = await server.http.options('/auth/token').set('Origin', 'https://app.example').set('Access-Control-Request-Method', 'POST');
    assert.equal(token.headers['access-control-allow-origin'], 'https://app.example');
    const other = await server.http.options('/Patient').set('Origin', 'https://evil.example').set('Access-Control-Request-Method', 'GET');
    assert.equal(other.headers['access-control-allow-origin'], undefined);
  });

  it('lets only administrators use the admin API, and never shows a hash', async () => {
    const clinician = server.token({ roles: ['clinician'] });
    assert.equal((await server.http.get('/auth/admin/users').set('Authorization', `Bearer ${clinician}`)).status, 403);
    assert.equal((await server.http.get('/auth/admin/users')).status, 401);
    const admin = `Bearer ${server.token()}`;
    const users = await server.http.get('/auth/admin/users').set('Authorization', admin);
    assert.ok(users.body.length >= 2);
    assert.ok(users.body.every((u: Record<string, unknown>) => u.passwordHash === undefined));
    const created = await server.http.post('/auth/admin/clients').set('Authorization', admin).send({ name: 'Lab portal', type: 'confidential-symmetric', redirectUris: ['https://lab.example/cb'], scopes: ['user/*.rs'] });
    assert.equal(created.status, 201, created.text);
    assert.ok(created.body.secret && created.body.clientId);
    assert.equal(created.body.secretHash, undefined);
    const bad = await server.http.post('/auth/admin/clients').set('Authorization', admin).send({ name: 'x', type: 'public', redirectUris: ['not a url'], scopes: ['user/*.rs'] });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.issue[0].expression[0], 'redirectUris');
    const user = await server.http.post('/auth/admin/users').set('Authorization', admin).send({ account: 'nurse-wang', displayName: '王护士', fhirUser: 'PractitionerRole/r9', roles: ['nurse'], organizations: ['Organization/c1'] });
    assert.equal(user.status, 201, user.text);
    assert.ok(user.body.password.length >= 12);
    const badRole = await server.http.post('/auth/admin/users').set('Authorization', admin).send({ account: 'x1', fhirUser: 'Practitioner/x', roles: ['superuser'] });
    assert.equal(badRole.status, 400);
  });
});

describe('authorization server limits and logs', function () {
  this.timeout(60_000);

  it('answers 429 after too many failed logins, and too many token requests', async () => {
    const server = createAuthTestServer({ limits: { login: 2, token: 3, accountLogin: 100 } });
    try {
      await registerFlowFixtures(server.authStore, 'Organization/c');
      const page = await server.http.get('/auth/authorize').query({
        response_type: 'code', client_id: 'public-app', redirect_uri: appRedirect, scope: 'user/*.rs', state: 's', aud: testBaseUrl, code_challenge: pkce().challenge, code_challenge_method: 'S256',
      });
      const ticket = ticketOf(page.text);
      const tryLogin = () => server.http.post('/auth/login').type('form').send({ ticket, username: 'dr-li', password: 'not the password' });
      assert.equal((await tryLogin()).status, 401);
      assert.equal((await tryLogin()).status, 401);
      const limited = await tryLogin();
      assert.equal(limited.status, 429);
      assert.ok(limited.headers['retry-after'] || limited.headers.ratelimit);
      const token = () => server.http.post('/auth/token').type('form').send({ grant_type: 'client_credentials', client_id: 'nobody' });
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        statuses.push((await token()).status);
      }
      assert.deepEqual(statuses, [401, 401, 401, 429]);
    } finally {
      await server.close();
    }
  });

  it('holds an account after too many failed logins from any address, across processes sharing the store, whatever the password', async () => {
    // Two apps on one store stand for two processes; the limit per address is out of reach.
    const limits = { login: 1000, token: 1000, accountLogin: 3 };
    const first = createAuthTestServer({ limits });
    const second = createAuthTestServer({ store: first.store, limits });
    try {
      await registerFlowFixtures(first.authStore, 'Organization/c');
      const login = async (server: AuthTestServer, username: string, password: string): Promise<{ status: number; text: string; headers: Record<string, string> }> => {
        const page = await server.http.get('/auth/authorize').query({
          response_type: 'code', client_id: 'public-app', redirect_uri: appRedirect, scope: 'user/*.rs', state: 's', aud: testBaseUrl, code_challenge: pkce().challenge, code_challenge_method: 'S256',
        });
        return server.http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username, password });
      };
      assert.equal((await login(first, 'dr-li', 'guess 1')).status, 401);
      assert.equal((await login(second, 'dr-li', 'guess 2')).status, 401);
      // A sign-in that succeeds is not counted.
      assert.equal((await login(first, 'dr-li', testPassword)).status, 200);
      assert.equal((await login(second, 'dr-li', 'guess 3')).status, 401);
      const held = await login(first, 'dr-li', testPassword);
      assert.equal(held.status, 429);
      assert.ok(Number(held.headers['retry-after']) > 0 && Number(held.headers['retry-after']) <= 15 * 60);
      assert.match(held.text, /Too many failed sign-ins for this account/);
      assert.equal((await login(second, 'dr-li', testPassword)).status, 429, 'held in the other process too');
      assert.equal((await login(second, 'pat-0', testPassword)).status, 200, 'other accounts sign in as before');
    } finally {
      await first.close();
    }
  });

  it('logs no token, password, secret, code or identifier value after a full flow', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const server = createAuthTestServer({ logger: pino({ level: 'debug' }, sink) });
    try {
      const { confidentialSecret } = await registerFlowFixtures(server.authStore, 'Organization/c');
      await registerClient(server.authStore, { clientId: 'unused', name: 'x', type: 'public', redirectUris: ['https://x.example/cb'], scopes: ['user/*.rs'] });
      const tokens = await publicAppTokens(server.http, 'dr-li', 'user/*.rs offline_access', 'state-secret-1');
      const { code, verifier } = tokens;
      const access = tokens.body.access_token;
      const residentId = '120101198001010012';
      await server.http.get(`/Patient?identifier=urn:oid:2.16.156.10011.1.3|${residentId}`).set('Authorization', `Bearer ${access}`);
      await server.http.get(`/Observation?subject:Patient.identifier=${residentId}`).set('Authorization', `Bearer ${access}`);
      await server.http.post('/auth/introspect').auth('confidential-app', confidentialSecret).type('form').send({ token: access });
      await new Promise((resolve) => setImmediate(resolve));
      const log = lines.join('');
      assert.ok(log.includes('request completed'), 'the requests were logged');
      for (const secret of [access, tokens.body.refresh_token, code, verifier, testPassword, confidentialSecret, residentId, 'state-secret-1', Buffer.from(`confidential-app:${confidentialSecret}`).toString('base64')]) {
        assert.ok(!log.includes(secret), `the log holds ${secret.slice(0, 12)}...`);
      }
    } finally {
      await server.close();
    }
  });
});
