// SMART Backend Services: client_credentials with a signed client assertion (private_key_jwt, RS384 and
// ES384), keys registered by value or by URL, jti replay and the five-minute exp limit, and the HIS
// vendor's token limited to the clinics it serves. https://hl7.org/fhir/smart-app-launch/backend-services.html
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { registerClient } from '../../server/auth/accounts';
import { createAuthTestServer, loadGeneratedPatients, type AuthTestServer } from '../helpers/auth';
import { testBaseUrl } from '../helpers/test-server';

const tokenUrl = `${testBaseUrl}/auth/token`;
const assertionType = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

describe('SMART Backend Services', function () {
  this.timeout(60_000);
  let server: AuthTestServer;
  let clinic: string;
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwksByUrl = { keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS384' }] };

  before(async () => {
    server = createAuthTestServer({
      fetchJwks: async (url) => {
        assert.equal(url, 'https://vendor-b.example/jwks.json');
        return jwksByUrl;
      },
    });
    const records = await loadGeneratedPatients(server.store, 6);
    clinic = (records[0][0] as Patient).managingOrganization?.reference as string;
    await registerClient(server.authStore, {
      clientId: 'his-a', name: 'HIS A', type: 'confidential-asymmetric', scopes: ['system/*.rs', 'system/Observation.cruds'],
      jwks: { keys: [{ ...ec.publicKey.export({ format: 'jwk' }), kid: 'ec-1', alg: 'ES384' }] }, organizations: [clinic],
    });
    await registerClient(server.authStore, { clientId: 'his-b', name: 'HIS B', type: 'confidential-asymmetric', scopes: ['system/*.rs'], jwksUri: 'https://vendor-b.example/jwks.json', organizations: [clinic] });
  });
  after(() => server.close());

  function assertion(clientId: string, key: KeyObject, alg: 'ES384' | 'RS384', kid: string, claims: Record<string, unknown> = {}): string {
    return jwt.sign({ jti: randomUUID(), ...claims }, key, { algorithm: alg, keyid: kid, issuer: clientId, subject: clientId, audience: tokenUrl, expiresIn: 240 });
  }
  const requestToken = (signed: string, scope = 'system/*.rs') =>
    server.http.post('/auth/token').type('form').send({ grant_type: 'client_credentials', scope, client_assertion_type: assertionType, client_assertion: signed });

  it('issues a system token for an ES384 assertion whose keys were registered by value', async () => {
    const res = await requestToken(assertion('his-a', ec.privateKey, 'ES384', 'ec-1'), 'system/*.rs system/Observation.cruds user/*.rs');
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.scope, 'system/*.rs system/Observation.cruds');
    assert.equal(res.body.refresh_token, undefined);
    const patients = (await server.http.get('/Patient?_count=100').set('Authorization', `Bearer ${res.body.access_token}`)).body as Bundle;
    const listed = (patients.entry ?? []).map((e) => e.resource as Patient);
    assert.ok(listed.length > 0);
    assert.ok(listed.every((p) => p.managingOrganization?.reference === clinic), "a vendor's token sees the clinics it serves");
  });

  it('issues a token for an RS384 assertion whose keys are read from the registered URL', async () => {
    const res = await requestToken(assertion('his-b', rsa.privateKey, 'RS384', 'rsa-1'));
    assert.equal(res.status, 200, res.text);
  });

  it('refuses a replayed jti', async () => {
    const signed = assertion('his-a', ec.privateKey, 'ES384', 'ec-1');
    assert.equal((await requestToken(signed)).status, 200);
    const replay = await requestToken(signed);
    assert.equal(replay.status, 401);
    assert.equal(replay.body.error, 'invalid_client');
    assert.match(replay.body.error_description, /jti/);
  });

  it('refuses an assertion expiring more than five minutes ahead, for another audience, signed by another key, or HS256', async () => {
    const far = jwt.sign({ jti: randomUUID() }, ec.privateKey, { algorithm: 'ES384', keyid: 'ec-1', issuer: 'his-a', subject: 'his-a', audience: tokenUrl, expiresIn: 600 });
    assert.equal((await requestToken(far)).body.error, 'invalid_client');
    const elsewhere = jwt.sign({ jti: randomUUID() }, ec.privateKey, { algorithm: 'ES384', keyid: 'ec-1', issuer: 'his-a', subject: 'his-a', audience: 'https://other/token', expiresIn: 60 });
    assert.equal((await requestToken(elsewhere)).status, 401);
    const stranger = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    assert.equal((await requestToken(assertion('his-a', stranger.privateKey, 'ES384', 'ec-1'))).status, 401);
    const hmac = jwt.sign({ jti: randomUUID() }, 'shared', { algorithm: 'HS256', issuer: 'his-a', subject: 'his-a', audience: tokenUrl, expiresIn: 60 });
    assert.equal((await requestToken(hmac)).status, 401);
  });

  it('refuses scopes the client was not registered for, and a wrong assertion type', async () => {
    const res = await requestToken(assertion('his-b', rsa.privateKey, 'RS384', 'rsa-1'), 'system/*.cruds');
    assert.equal(res.status, 400);
    assert.equal(res.body.error, 'invalid_scope');
    const wrongType = await server.http.post('/auth/token').type('form').send({
      grant_type: 'client_credentials', scope: 'system/*.rs', client_assertion_type: 'urn:other', client_assertion: assertion('his-a', ec.privateKey, 'ES384', 'ec-1'),
    });
    assert.equal(wrongType.status, 401);
  });
});
