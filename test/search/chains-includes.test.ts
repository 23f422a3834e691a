// Chaining, reverse chaining (_has), _include/_revinclude (with :iterate and *), sorting on parameters.
import type { Bundle } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { TestServer } from '../helpers/test-server';
import { searchIds, serverWithFixtures } from './search-fixtures';
import { forEachStoreAdapter } from '../helpers/store-adapters';

forEachStoreAdapter((adapter) => {
  describe('chains, _has, includes and sort', () => {
    let server: TestServer;
    before(async () => {
      server = await serverWithFixtures(adapter);
    });
    after(() => server.close());
    const ids = (query: string): Promise<string[]> => searchIds(server, query);
    const enc = encodeURIComponent;

    async function included(query: string): Promise<string[]> {
      const res = await server.http.get(query).set('Prefer', 'handling=strict');
      assert.equal(res.status, 200, JSON.stringify(res.body));
      return ((res.body as Bundle).entry ?? [])
        .filter((e) => e.search?.mode === 'include')
        .map((e) => `${e.resource!.resourceType}/${e.resource!.id}`)
        .sort();
    }

    describe('chaining', () => {
      it('follows a typed reference to a parameter of the target', async () => {
        assert.deepEqual(await ids('/Observation?subject:Patient.name=wang'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(
          await ids(`/Observation?subject:Patient.identifier=${enc('urn:oid:2.16.156.10011.1.3|120101198001010012')}`),
          ['obs-bp-1', 'obs-bp-2']
        );
      });
      it('works without a type when the parameter has one target, and over several levels', async () => {
        assert.deepEqual(await ids('/Observation?patient.gender=female'), ['obs-weight']);
        assert.deepEqual(await ids(`/Observation?patient.organization.name=${enc('和平区')}`), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids('/Observation?patient.organization.partof.identifier=B100-001'), ['obs-weight']);
      });
      it('refuses a chain on a parameter that is not a reference', async () => {
        const res = await server.http.get('/Observation?code.name=x');
        assert.equal(res.status, 400);
      });
    });

    describe('_has', () => {
      it('finds resources referred to by matching resources', async () => {
        assert.deepEqual(await ids('/Patient?_has:Observation:patient:code=14771-0'), ['p-zhang']);
        assert.deepEqual(await ids('/Patient?_has:Observation:subject:status=final'), ['p-wang', 'p-zhang']);
      });
      it('nests', async () => {
        assert.deepEqual(await ids('/Practitioner?_has:Patient:general-practitioner:_has:Observation:patient:code=85354-9'), ['dr-li']);
      });
      it('refuses a malformed _has with 400', async () => {
        assert.equal((await server.http.get('/Patient?_has:Observation:code=1')).status, 400);
        assert.equal((await server.http.get('/Patient?_has:Observation:code:status=final')).status, 400);
      });
    });

    describe('_include and _revinclude', () => {
      it('includes the targets of a reference parameter, marked include', async () => {
        assert.deepEqual(await included('/Observation?code=14771-0&_include=Observation:subject'), ['Patient/p-zhang']);
        assert.deepEqual(await included('/Observation?_id=obs-bp-1&_include=Observation:*'), ['Encounter/enc-1', 'Patient/p-wang']);
        assert.deepEqual(await included('/Observation?_id=obs-bp-1&_include=Observation:subject:Practitioner'), []);
      });
      it('reverse-includes resources that refer to the matches', async () => {
        assert.deepEqual(await included('/Patient?_id=p-zhang&_revinclude=Observation:subject'), ['Observation/obs-glu']);
        assert.deepEqual(await included('/Patient?_id=p-wang&_revinclude=Observation:subject&_revinclude=RiskAssessment:subject'), [
          'Observation/obs-bp-1',
          'Observation/obs-bp-2',
          'RiskAssessment/risk-1',
        ]);
      });
      it('iterates', async () => {
        assert.deepEqual(await included('/Observation?_id=obs-weight&_include=Observation:subject&_include=Patient:organization'), ['Patient/p-jose']);
        assert.deepEqual(
          await included('/Observation?_id=obs-weight&_include=Observation:subject&_include:iterate=Patient:organization&_include:iterate=Organization:partof'),
          ['Organization/org-clinic', 'Organization/org-hospital', 'Patient/p-jose']
        );
      });
      it('refuses an include that is not a reference parameter', async () => {
        assert.equal((await server.http.get('/Observation?_include=Observation:code')).status, 400);
        assert.equal((await server.http.get('/Observation?_include=*')).status, 400);
      });
    });

    describe('compartment search', () => {
      it('finds the resources in a patient compartment, with further parameters', async () => {
        assert.deepEqual(await ids('/Patient/p-wang/Observation'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids('/Patient/p-wang/Observation?date=2026-06'), ['obs-bp-2']);
        assert.deepEqual(await ids('/Patient/p-wang/RiskAssessment'), ['risk-1']);
        assert.deepEqual(await ids('/Patient/p-jose/Encounter'), []);
      });
      it('refuses a type outside the compartment, and an unknown type', async () => {
        assert.equal((await server.http.get('/Patient/p-wang/ValueSet')).status, 400);
        assert.equal((await server.http.get('/Patient/p-wang/Nonsense')).status, 404);
      });
    });

    describe('_sort', () => {
      const order = async (query: string): Promise<string[]> => {
        const res = await server.http.get(query);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        return (res.body as Bundle).entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);
      };
      it('sorts on dates both ways, resources without a value last', async () => {
        assert.deepEqual(await order('/Patient?_sort=birthdate'), ['p-jose', 'p-wang', 'p-zhang']);
        assert.deepEqual(await order('/Patient?_sort=-birthdate'), ['p-zhang', 'p-wang', 'p-jose']);
        assert.deepEqual(await order('/Observation?_sort=-date'), ['obs-bp-2', 'obs-glu', 'obs-bp-1', 'obs-weight']);
      });
      it('sorts on strings and tokens, with several keys', async () => {
        assert.deepEqual(await order('/Patient?_sort=family'), ['p-jose', 'p-wang', 'p-zhang']);
        assert.deepEqual(await order('/Patient?_sort=gender,-birthdate'), ['p-jose', 'p-zhang', 'p-wang']);
      });
      it('pages a sorted result with its cursor, each resource once', async () => {
        const seen: string[] = [];
        let url: string | undefined = '/Observation?_sort=-date&_count=1';
        while (url) {
          const bundle = (await server.http.get(url)).body as Bundle;
          seen.push(...bundle.entry!.filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!));
          url = bundle.link?.find((l) => l.relation === 'next')?.url.replace('http://fhir.test', '');
        }
        assert.deepEqual(seen, ['obs-bp-2', 'obs-glu', 'obs-bp-1', 'obs-weight']);
      });
    });
  });
});
