// SMART App Launch against the running app: standalone and EHR launch, the patient picker, PKCE,
// confidential clients, refresh-token rotation, and every error the authorization and token endpoints
// must give. https://hl7.org/fhir/smart-app-launch/app-launch.html
import type { Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import jwt from 'jsonwebtoken';
import { appRedirect, createAuthTestServer, loadGeneratedPatients, pkce, registerFlowFixtures, testKeyRing, testPassword, ticketOf, type AuthTestServer } from '../helpers/auth';
import { testBaseUrl } from '../helpers/test-server';

describe('SMART App Launch: authorization code', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let clinic: string;
  let mine: string[];
  let others: string[];
  let confidentialSecret: string;

  before(async () => {
    server = createAuthTestServer();
    const records = await loadGeneratedPatients(server.store, 8);
    const patients = records.map((r) => r[0] as Patient);
    clinic = patients[0].managingOrganization?.reference as string;
    mine = patients.filter((p) => p.managingOrganization?.reference === clinic).map((p) => p.id as string);
    others = patients.filter((p) => p.managingOrganization?.reference !== clinic).map((p) => p.id as string);
    ({ confidentialSecret } = await registerFlowFixtures(server.authStore, clinic));
  });
  after(() => server.close());

  const authorizeParams = (extra: Record<string, string> = {}): Record<string, string> => ({
    response_type: 'code',
    client_id: 'public-app',
    redirect_uri: appRedirect,
    scope: 'launch/patient openid fhirUser patient/*.rs offline_access',
    state: 'state-123',
    aud: testBaseUrl,
    ...extra,
  });

  /** Runs the pages up to the consent page; returns its HTML. */
  async function toConsent(params: Record<string, string>, account = 'pat-0'): Promise<string> {
    const page = await server.http.get('/auth/authorize').query(params);
    assert.equal(page.status, 200, page.text);
    const login = await server.http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: account, password: testPassword });
    assert.equal(login.status, 200, login.text);
    return login.text;
  }

  /** Approves and returns the redirect's parameters. */
  async function approve(consentHtml: string, fields: Record<string, string> = {}): Promise<URLSearchParams> {
    const res = await server.http.post('/auth/consent').type('form').send({ ticket: ticketOf(consentHtml), decision: 'approve', ...fields });
    assert.equal(res.status, 302, res.text);
    const location = new URL(res.headers.location as string);
    assert.equal(`${location.origin}${location.pathname}`, appRedirect.replace(/\/$/, ''));
    return location.searchParams;
  }

  async function codeFor(extra: Record<string, string> = {}, account = 'pat-0'): Promise<{ code: string; verifier: string }> {
    const { verifier, challenge } = pkce();
    const redirect = await approve(await toConsent(authorizeParams({ code_challenge: challenge, code_challenge_method: 'S256', ...extra }), account));
    assert.equal(redirect.get('state'), 'state-123');
    return { code: redirect.get('code') as string, verifier };
  }

  const exchange = (form: Record<string, string>) => server.http.post('/auth/token').type('form').send({ grant_type: 'authorization_code', client_id: 'public-app', redirect_uri: appRedirect, ...form });

  it('standalone launch by a patient: a token for their record, an id_token naming them, a refresh token', async () => {
    const { code, verifier } = await codeFor({ scope: 'launch/patient openid fhirUser patient/*.rs offline_access' });
    const res = await exchange({ code, code_verifier: verifier });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(res.body.token_type, 'Bearer');
    assert.equal(res.body.patient, 'pat-0');
    assert.equal(res.body.need_patient_banner, true);
    assert.equal(res.body.scope, 'launch/patient openid fhirUser patient/*.rs offline_access');
    assert.ok(res.body.expires_in > 0 && res.body.refresh_token);
    const idToken = jwt.verify(res.body.id_token, testKeyRing().current().publicKey, { audience: 'public-app', issuer: testBaseUrl }) as jwt.JwtPayload;
    assert.equal(idToken.fhirUser, `${testBaseUrl}/Patient/pat-0`);
    const read = await server.http.get('/Patient/pat-0').set('Authorization', `Bearer ${res.body.access_token}`);
    assert.equal(read.status, 200);
    assert.equal(read.headers['cache-control'], 'no-store');
  });

  it('standalone launch by a clinician: the picker lists only the clinic’s patients, and another clinic’s is refused', async () => {
    const consent = await toConsent(authorizeParams({ scope: 'launch/patient patient/*.rs', ...challenge() }), 'dr-li');
    const listed = [...consent.matchAll(/name="patient" value="([^"]+)"/g)].map((m) => m[1]).sort();
    assert.deepEqual(listed, [...mine].sort());
    const refused = await server.http.post('/auth/consent').type('form').send({ ticket: ticketOf(consent), decision: 'approve', patient: others[0] });
    assert.equal(refused.status, 200);
    assert.match(refused.text, /Choose a patient you may see/);
    const redirect = await approve(consent, { patient: mine[0] });
    assert.ok(redirect.get('code'));
  });

  it('EHR launch: the launch value binds the patient the clinician opened, and the app needs no banner', async () => {
    const clinicianToken = server.token({ account: 'dr-li', fhirUser: 'PractitionerRole/role-test', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.rs'] });
    const created = await server.http.post('/auth/launch').set('Authorization', `Bearer ${clinicianToken}`).send({ patient: mine[0], encounter: 'enc-1' });
    assert.equal(created.status, 201, created.text);
    const { verifier, challenge: codeChallenge } = pkce();
    const redirect = await approve(
      await toConsent(authorizeParams({ scope: 'launch patient/*.rs', launch: created.body.launch, code_challenge: codeChallenge, code_challenge_method: 'S256' }), 'dr-li')
    );
    const res = await exchange({ code: redirect.get('code') as string, code_verifier: verifier });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.patient, mine[0]);
    assert.equal(res.body.encounter, 'enc-1');
    assert.equal(res.body.need_patient_banner, false);
    const outside = await server.http.post('/auth/launch').set('Authorization', `Bearer ${clinicianToken}`).send({ patient: others[0] });
    assert.equal(outside.status, 403);
    assert.equal(outside.body.issue[0].code, 'forbidden');
    // Another user cannot sign in to a launch the clinician made.
    const again = await server.http.post('/auth/launch').set('Authorization', `Bearer ${clinicianToken}`).send({ patient: mine[0] });
    const page = await server.http.get('/auth/authorize').query(authorizeParams({ scope: 'launch patient/*.rs', launch: again.body.launch, ...challenge() }));
    const login = await server.http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: 'pat-0', password: testPassword });
    assert.equal(login.status, 302);
    assert.equal(new URL(login.headers.location as string).searchParams.get('error'), 'access_denied');
  });

  it('accepts the authorization request by POST (authorize-post)', async () => {
    const page = await server.http.post('/auth/authorize').type('form').send(authorizeParams(challenge()));
    assert.equal(page.status, 200);
    assert.ok(ticketOf(page.text));
  });

  function challenge(): Record<string, string> {
    return { code_challenge: pkce().challenge, code_challenge_method: 'S256' };
  }

  it('never redirects to an unregistered redirect_uri, nor for an unknown client', async () => {
    for (const params of [authorizeParams({ redirect_uri: 'https://app.example/callback/evil', ...challenge() }), authorizeParams({ client_id: 'nobody', ...challenge() })]) {
      const res = await server.http.get('/auth/authorize').query(params);
      assert.equal(res.status, 400);
      assert.equal(res.headers.location, undefined);
      assert.match(res.headers['content-type'] as string, /text\/html/);
    }
  });

  it('redirects with an error for a bad request once the redirect_uri is known', async () => {
    const cases: [Record<string, string>, string][] = [
      [authorizeParams(), 'invalid_request'], // a public client without PKCE
      [authorizeParams({ code_challenge: pkce().challenge, code_challenge_method: 'plain' }), 'invalid_request'],
      [authorizeParams({ aud: 'https://other.example/fhir', ...challenge() }), 'invalid_request'],
      [authorizeParams({ response_type: 'token', ...challenge() }), 'unsupported_response_type'],
      [authorizeParams({ scope: 'system/*.rs', ...challenge() }), 'invalid_scope'],
      [authorizeParams({ scope: 'launch patient/*.rs', launch: 'made-up', ...challenge() }), 'invalid_request'],
    ];
    for (const [params, error] of cases) {
      const res = await server.http.get('/auth/authorize').query(params);
      assert.equal(res.status, 302, JSON.stringify(params));
      const redirect = new URL(res.headers.location as string).searchParams;
      assert.equal(redirect.get('error'), error, JSON.stringify(params));
      assert.equal(redirect.get('state'), 'state-123');
    }
    const noState = await server.http.get('/auth/authorize').query({ ...authorizeParams(challenge()), state: '' });
    assert.equal(new URL(noState.headers.location as string).searchParams.get('error'), 'invalid_request');
  });

  it('refuses a wrong password on the page, and a denied consent with access_denied', async () => {
    const page = await server.http.get('/auth/authorize').query(authorizeParams(challenge()));
    const wrong = await server.http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: 'pat-0', password: 'wrong password!' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.text, /Wrong account or password/);
    const consent = await toConsent(authorizeParams(challenge()));
    const denied = await server.http.post('/auth/consent').type('form').send({ ticket: ticketOf(consent), decision: 'deny' });
    assert.equal(new URL(denied.headers.location as string).searchParams.get('error'), 'access_denied');
    const forged = await server.http.post('/auth/consent').type('form').send({ ticket: `${ticketOf(consent)}x`, decision: 'approve' });
    assert.equal(forged.status, 400);
  });

  it('refuses a missing or wrong code_verifier, a wrong redirect_uri, and a code used twice', async () => {
    const missing = await codeFor();
    assert.equal((await exchange({ code: missing.code })).body.error, 'invalid_grant');
    const wrong = await codeFor();
    assert.equal((await exchange({ code: wrong.code, code_verifier: pkce().verifier })).body.error, 'invalid_grant');
    const redirect = await codeFor();
    const res = await exchange({ code: redirect.code, code_verifier: redirect.verifier, redirect_uri: 'https://app.example/other' });
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_grant');
    const once = await codeFor();
    assert.equal((await exchange({ code: once.code, code_verifier: once.verifier })).status, 200);
    const replay = await exchange({ code: once.code, code_verifier: once.verifier });
    assert.equal(replay.status, 400);
    assert.equal(replay.body.error, 'invalid_grant');
  });

  it('authenticates a confidential client with client_secret_basic', async () => {
    const created = await server.http
      .post('/auth/launch')
      .set('Authorization', `Bearer ${server.token({ account: 'dr-li', roles: ['clinician'], organizations: [clinic], scopes: ['user/*.rs'] })}`)
      .send({ patient: mine[0] });
    const params = { ...authorizeParams({ client_id: 'confidential-app', redirect_uri: 'https://emr.example/cb', scope: 'launch user/*.cruds', launch: created.body.launch }) };
    const page = await server.http.get('/auth/authorize').query(params);
    const consent = await server.http.post('/auth/login').type('form').send({ ticket: ticketOf(page.text), username: 'dr-li', password: testPassword });
    const res = await server.http.post('/auth/consent').type('form').send({ ticket: ticketOf(consent.text), decision: 'approve' });
    const code = new URL(res.headers.location as string).searchParams.get('code') as string;
    const form = { grant_type: 'authorization_code', code, redirect_uri: 'https://emr.example/cb' };
    const unauthenticated = await server.http.post('/auth/token').type('form').send({ ...form, client_id: 'confidential-app' });
    assert.equal(unauthenticated.status, 401);
    assert.equal(unauthenticated.body.error, 'invalid_client');
    const badSecret = await server.http.post('/auth/token').auth('confidential-app', 'not the secret').type('form').send(form);
    assert.equal(badSecret.status, 401);
    const ok = await server.http.post('/auth/token').auth('confidential-app', confidentialSecret).type('form').send(form);
    assert.equal(ok.status, 200, ok.text);
    assert.equal(ok.body.patient, mine[0]);
  });

  it('rotates refresh tokens, revokes the family when a used one comes back, and never widens the scope', async () => {
    const { code, verifier } = await codeFor({ scope: 'launch/patient patient/*.rs offline_access' });
    const first = (await exchange({ code, code_verifier: verifier })).body as Record<string, string>;
    const refresh = (token: string, scope?: string) =>
      server.http.post('/auth/token').type('form').send({ grant_type: 'refresh_token', client_id: 'public-app', refresh_token: token, ...(scope ? { scope } : {}) });
    const escalated = await refresh(first.refresh_token, 'patient/*.cruds');
    assert.equal(escalated.status, 400);
    assert.equal(escalated.body.error, 'invalid_scope');
    const start = first;
    const narrower = await refresh(start.refresh_token, 'patient/Observation.rs');
    assert.equal(narrower.status, 200, narrower.text);
    assert.equal(narrower.body.scope, 'patient/Observation.rs');
    assert.equal(narrower.body.patient, 'pat-0');
    assert.notEqual(narrower.body.refresh_token, start.refresh_token);
    const reused = await refresh(start.refresh_token);
    assert.equal(reused.body.error, 'invalid_grant');
    const familyGone = await refresh(narrower.body.refresh_token);
    assert.equal(familyGone.body.error, 'invalid_grant', 'the rotated token of a replayed family is revoked too');
  });

  it('serves its pages in Chinese and English, for phones, with strict security headers', async () => {
    const page = await server.http.get('/auth/authorize').query(authorizeParams(challenge()));
    assert.match(page.text, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
    assert.match(page.text, /登录/);
    assert.match(page.text, /Sign in/);
    const csp = page.headers['content-security-policy'] as string;
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /form-action 'self' https:\/\/app\.example/);
    assert.equal(page.headers['x-content-type-options'], 'nosniff');
    assert.equal(page.headers['cache-control'], 'no-store');
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    assert.ok(nonce && page.text.includes(`<style nonce="${nonce}">`));
  });
});
