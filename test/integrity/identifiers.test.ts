// Business identifiers: check characters of resident IDs and unified social credit codes on every write
// (rule 'identifier-check-characters'), and uniqueness of the identifiers the network's SearchParameters
// mark unique (resident-id, uscc, institution-code), enforced by the store with a 409 naming the holder.
import type { Bundle, Organization } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { residentIdSystem, usccSystem } from '../../server/integrity/check-characters';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { loadNetworkSearchParameters } from '../../server/search/network-search-parameters';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store';
import { uscc } from '../../seed/identifiers';
import { freshResidentId, patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const profilesDir = path.resolve(__dirname, '../../../profiles');
const institutionSystem = 'urn:oid:2.16.156.10011.1.5';

function organization(id: string, identifier: Organization['identifier']): Organization {
  return { resourceType: 'Organization', id, name: id, identifier };
}

describe('integrity: business identifiers', () => {
  describe('check characters', () => {
    let server: TestServer;
    beforeEach(() => {
      server = createTestServer();
    });
    afterEach(() => server.close());

    it('refuses a resident ID whose check character is wrong, without repeating it, with or without a profile', async () => {
      const valid = freshResidentId();
      const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
      const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: residentIdSystem, value: wrong }] }));
      assert.equal(res.status, 422);
      const issue = res.body.issue[0];
      assert.equal(issue.diagnostics, 'write rule: identifier-check-characters');
      assert.deepEqual(issue.expression, ['Patient.identifier[0].value']);
      assert.doesNotMatch(JSON.stringify(res.body), new RegExp(wrong), 'the number is not echoed');
      assert.equal((await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: residentIdSystem, value: valid }] }))).status, 201);
    });

    it('checks unified social credit codes wherever an identifier sits (here, a reference\'s)', async () => {
      const good = uscc('12', '990101', 'MB0000017');
      const bad = good.slice(0, 17) + (good[17] === 'A' ? 'B' : 'A');
      assert.equal((await server.http.post('/Organization').set('Content-Type', fhirJson).send(organization('o', [{ system: usccSystem, value: good }]))).status, 201);
      const res = await server.http
        .post('/Patient')
        .set('Content-Type', fhirJson)
        .send(patient({ managingOrganization: { identifier: { system: usccSystem, value: bad } } }));
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.issue[0].expression, ['Patient.managingOrganization.identifier.value']);
    });

    it('refuses a bad number inside a transaction and stores nothing of it', async () => {
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: patient({ id: 'tx-ok' }), request: { method: 'PUT', url: 'Patient/tx-ok' } },
          { resource: patient({ id: 'tx-bad', identifier: [{ system: residentIdSystem, value: '12345' }] }), request: { method: 'PUT', url: 'Patient/tx-bad' } },
        ],
      };
      const res = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
      assert.equal(res.status, 422);
      assert.equal((await server.http.get('/Patient/tx-ok')).status, 404);
    });
  });

  describe('uniqueness', () => {
    let server: TestServer;
    beforeEach(() => {
      const registry = new SearchParameterRegistry(loadNetworkSearchParameters(profilesDir));
      const store = new SqliteStore({ file: ':memory:', synchronous: 'NORMAL', indexer: createResourceIndexer(registry) });
      server = createTestServer({ store, registry });
    });
    afterEach(() => server.close());

    it('refuses a second Patient with the same resident ID with 409 naming the first, and allows updating the first', async () => {
      const id = freshResidentId();
      const first = patient({ id: 'first', identifier: [{ system: residentIdSystem, value: id }] });
      await server.http.put('/Patient/first').set('Content-Type', fhirJson).send(first).expect(201);
      const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: residentIdSystem, value: id }] }));
      assert.equal(res.status, 409);
      assert.equal(res.body.issue[0].code, 'conflict');
      assert.match(res.body.issue[0].details.text, /Patient\/first already has this resident-id/);
      assert.doesNotMatch(JSON.stringify(res.body), new RegExp(id));
      await server.http.put('/Patient/first').set('Content-Type', fhirJson).send({ ...first, active: true }).expect(200);
      // Once the first is deleted, the number is free again.
      await server.http.delete('/Patient/first').expect(204);
      assert.equal((await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: residentIdSystem, value: id }] }))).status, 201);
    });

    it('refuses a second Organization with the same USCC or institution code, also inside a transaction', async () => {
      const code = uscc('12', '990101', 'MB0000025');
      await server.http.put('/Organization/a').set('Content-Type', fhirJson).send(organization('a', [{ system: usccSystem, value: code }, { system: institutionSystem, value: 'PDY990101-1' }])).expect(201);
      const sameUscc = await server.http.put('/Organization/b').set('Content-Type', fhirJson).send(organization('b', [{ system: usccSystem, value: code }]));
      assert.equal(sameUscc.status, 409);
      const sameInstitution = await server.http.put('/Organization/c').set('Content-Type', fhirJson).send(organization('c', [{ system: institutionSystem, value: 'PDY990101-1' }]));
      assert.equal(sameInstitution.status, 409);
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { resource: organization('d', [{ system: institutionSystem, value: 'PDY990101-2' }]), request: { method: 'PUT', url: 'Organization/d' } },
          { resource: organization('e', [{ system: institutionSystem, value: 'PDY990101-2' }]), request: { method: 'PUT', url: 'Organization/e' } },
        ],
      };
      const res = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
      assert.equal(res.status, 409);
      assert.match(res.body.issue[0].details.text, /^Bundle\.entry\[1\]/);
      assert.equal((await server.http.get('/Organization/d')).status, 404);
    });

    it('is not enforced for a parameter without the mark, nor when switched off', async () => {
      await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: 'https://fhir.test/sid/clinic-mrn', value: 'same' }] })).expect(201);
      await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system: 'https://fhir.test/sid/clinic-mrn', value: 'same' }] })).expect(201);
      const off = new SearchParameterRegistry(loadNetworkSearchParameters(profilesDir), { uniqueParameters: false });
      assert.equal(off.get('Patient', 'resident-id')?.unique, undefined);
      assert.equal(new SearchParameterRegistry(loadNetworkSearchParameters(profilesDir)).get('Patient', 'resident-id')?.unique, true);
    });
  });
});
