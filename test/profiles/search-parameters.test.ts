// The network SearchParameters generated under profiles/: the server's loader finds exactly them, they
// compile into the SearchParameterRegistry for every base without problems, and each one finds the valid
// examples it should once they are stored.
import type { Bundle, Resource, SearchParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { loadNetworkSearchParameters } from '../../server/search/network-search-parameters';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { loadNetworkContent } from '../helpers/network-server';
import { createTestServer, fhirJson, memoryStore, type TestServer } from '../helpers/test-server';
import { examplesDir, generatedResources, readJsonFile, repoRoot } from './profile-validation';
import { createReferencedTargets } from '../helpers/reference-targets';

const F = 'https://fhir.dhc.example';

/** Each parameter, a query, and the ids of the valid examples it must find (and only those). */
const searches: { code: string; query: string; ids: string[] }[] = [
  { code: 'member-type', query: `Organization?member-type=${F}/CodeSystem/organization-type|cloud-pharmacy`, ids: ['org-qinghe-cloud-pharmacy'] },
  { code: 'member-type', query: 'Organization?member-type=community-health-service-centre,community-health-service-station', ids: ['org-hepan-chc', 'org-hepan-station-chunhui'] },
  { code: 'district', query: `Organization?district=${encodeURIComponent('临江区')}`, ids: ['org-hepan-chc', 'org-hepan-station-chunhui', 'org-qinghe-cloud-pharmacy'] },
  { code: 'district', query: `Patient?district=${encodeURIComponent('临江')}`, ids: ['pat-lixiuying', 'pat-zhangwei'] },
  { code: 'resident-id', query: 'Patient?resident-id=urn:oid:2.16.156.10011.1.3|990102195803120314', ids: ['pat-zhangwei'] },
  { code: 'resident-id', query: 'Practitioner?resident-id=990102198802140069', ids: ['prac-zhaomin'] },
  { code: 'uscc', query: 'Organization?uscc=https://fhir.dhc.example/sid/uscc|91990100MA3E2K6L79', ids: ['org-qinghe-cloud-pharmacy'] },
  { code: 'uscc', query: 'Organization?uscc:missing=true&institution-code:missing=false', ids: ['org-hepan-station-chunhui'] },
  { code: 'institution-code', query: 'Organization?institution-code=PDY99010212345,499010200001', ids: ['org-hepan-chc', 'org-qinghe-internet-hospital'] },
  { code: 'recognition-mark', query: 'Observation?recognition-mark=HR', ids: ['obs-zhangwei-crea-20261105', 'obs-zhangwei-hba1c-20261105'] },
  { code: 'recognition-mark', query: 'DiagnosticReport?recognition-mark=HR', ids: ['rpt-zhangwei-20261105'] },
  { code: 'recognition-scope', query: `Observation?recognition-scope=${F}/CodeSystem/recognition-scope|provincial`, ids: ['obs-zhangwei-crea-20261105'] },
  { code: 'recognition-scope', query: 'DiagnosticReport?recognition-scope=city', ids: ['rpt-zhangwei-20261105'] },
  { code: 'eqa-status', query: 'Observation?eqa-status=not-assessed', ids: ['obs-zhangwei-upro-20261105'] },
  { code: 'eqa-status', query: `DiagnosticReport?eqa-status=${F}/CodeSystem/eqa-status|passed`, ids: ['rpt-zhangwei-20261105'] },
  { code: 'review-status', query: 'MedicationRequest?review-status=approved', ids: ['rx-zhangwei-amlodipine-20261105', 'rx-zhangwei-metformin-20261105'] },
  { code: 'review-status', query: 'MedicationRequest?review-status=pending', ids: [] },
  { code: 'long-prescription', query: 'MedicationRequest?long-prescription=true', ids: ['rx-zhangwei-metformin-20261105'] },
  { code: 'long-prescription', query: 'MedicationRequest?long-prescription=false', ids: ['rx-zhangwei-amlodipine-20261105'] },
  { code: 'home-care-service', query: 'ServiceRequest?home-care-service=venous-blood-sampling', ids: ['sr-lixiuying-home-blood-20261110'] },
  { code: 'home-care-service', query: `PractitionerRole?home-care-service=${F}/CodeSystem/home-care-service|wound-dressing`, ids: ['role-zhaomin-home-care'] },
  // No example is a Provenance of a reuse; test/workflows/recognition records one and counts it.
  { code: 'activity', query: `Provenance?activity=${F}/CodeSystem/recognition|reused`, ids: [] },
];

describe('the network SearchParameters in profiles/generated', () => {
  const generated = [...generatedResources().values()].filter((r): r is SearchParameter => r.resourceType === 'SearchParameter');

  it('the server finds exactly them under profiles/, and nothing else there is a SearchParameter', () => {
    const loaded = loadNetworkSearchParameters(path.join(repoRoot, 'profiles'));
    assert.deepEqual(loaded.map((p) => p.url).sort(), generated.map((p) => p.url).sort());
    assert.ok(generated.length >= 9);
  });

  it('have new codes (none replaces an R4 parameter) and urls under the canonical base', () => {
    const r4 = new SearchParameterRegistry();
    for (const parameter of generated) {
      assert.equal(parameter.url, `${F}/SearchParameter/${parameter.id}`);
      assert.equal(parameter.code, parameter.id);
      for (const base of parameter.base) {
        assert.equal(r4.get(base, parameter.code as string), undefined, `${base}.${parameter.code} is not an R4 parameter`);
      }
    }
  });

  it('compile for every base type without problems', () => {
    const registry = new SearchParameterRegistry(generated);
    for (const parameter of generated) {
      for (const base of parameter.base) {
        assert.equal(registry.get(base, parameter.code as string)?.url, parameter.url);
        assert.ok(
          registry.indexPlan(base).some((p) => p.def.url === parameter.url),
          `${base}.${parameter.code} is in the index plan`
        );
      }
    }
    assert.deepEqual(registry.problems, []);
  });

  describe('searching the valid examples', () => {
    let server: TestServer;
    before(async () => {
      const registry = new SearchParameterRegistry(loadNetworkSearchParameters(path.join(repoRoot, 'profiles')));
      const store = memoryStore(createResourceIndexer(registry));
      // The profiles the examples claim are loaded first, as start-up loads them; otherwise the writes are refused.
      await loadNetworkContent(store);
      // The examples are stored among stub targets of their references, outside the world of an order
      // that the workflows' rules judge a home visit in (tested in test/workflows).
      server = createTestServer({ store, registry, workflows: false });
      const dir = path.join(examplesDir, 'valid');
      for (const file of fs.readdirSync(dir).sort()) {
        const resource = readJsonFile<Resource>(path.join(dir, file));
        await createReferencedTargets(server.http, resource);
        const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
        assert.ok(res.status === 200 || res.status === 201, `${file}: PUT ${res.status} ${JSON.stringify(res.body)}`);
      }
    });
    after(() => server.close());

    it('every network parameter is exercised below', () => {
      assert.deepEqual([...new Set(searches.map((s) => s.code))].sort(), generated.map((p) => p.code).sort());
    });

    for (const { query, ids } of searches) {
      it(`GET ${decodeURIComponent(query)} finds ${ids.join(', ') || 'nothing'}`, async () => {
        const res = await server.http.get(`/${query}`).set('Prefer', 'handling=strict');
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const found = ((res.body as Bundle).entry ?? []).map((e) => e.resource?.id).sort();
        assert.deepEqual(found, ids.slice().sort());
      });
    }

    it('the CapabilityStatement lists them by their canonical url', async () => {
      const statement = await server.http.get('/metadata');
      const organization = statement.body.rest[0].resource.find((r: { type: string }) => r.type === 'Organization');
      assert.ok(organization.searchParam.some((p: { name: string; definition: string }) => p.name === 'member-type' && p.definition === `${F}/SearchParameter/member-type`));
    });
  });
});
