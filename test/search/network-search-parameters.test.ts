import type { SearchParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { loadNetworkSearchParameters } from '../../server/search/network-search-parameters';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { SqliteStore } from '../../server/store/sqlite/sqlite-store';
import { createTestServer } from '../helpers/test-server';

const districtParameter: SearchParameter = {
  resourceType: 'SearchParameter',
  url: 'https://fhir.dhc.example/SearchParameter/patient-district',
  name: 'PatientDistrict',
  status: 'active',
  description: 'District of the patient address',
  code: 'district',
  base: ['Patient'],
  type: 'string',
  expression: 'Patient.address.district',
};

describe('the network SearchParameters under profiles/', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'profiles-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('finds SearchParameter files and Bundles of them in subfolders, and nothing in a missing folder', () => {
    fs.mkdirSync(path.join(dir, 'search'));
    fs.writeFileSync(path.join(dir, 'search', 'district.json'), JSON.stringify(districtParameter));
    fs.writeFileSync(
      path.join(dir, 'bundle.json'),
      JSON.stringify({ resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...districtParameter, code: 'district2' } }] })
    );
    fs.writeFileSync(path.join(dir, 'other.json'), JSON.stringify({ resourceType: 'ValueSet', status: 'active' }));
    assert.deepEqual(loadNetworkSearchParameters(dir).map((p) => p.code).sort(), ['district', 'district2']);
    assert.deepEqual(loadNetworkSearchParameters(path.join(dir, 'absent')), []);
  });

  it('refuses a file that is not JSON, naming it', () => {
    fs.writeFileSync(path.join(dir, 'broken.json'), '{');
    assert.throws(() => loadNetworkSearchParameters(dir), /broken\.json is not valid JSON/);
  });

  it('indexes and searches a network parameter like an R4 one', async () => {
    const registry = new SearchParameterRegistry([districtParameter]);
    const store = new SqliteStore({ file: ':memory:', synchronous: 'NORMAL', indexer: createResourceIndexer(registry) });
    const server = createTestServer({ store, registry });
    await store.create({ resourceType: 'Patient', id: 'a', address: [{ district: '和平区' }] });
    await store.create({ resourceType: 'Patient', id: 'b', address: [{ district: '河西区' }] });
    const res = await server.http.get(`/Patient?district=${encodeURIComponent('和平')}`).set('Prefer', 'handling=strict');
    assert.equal(res.status, 200);
    assert.deepEqual(res.body.entry.map((e: { resource: { id: string } }) => e.resource.id), ['a']);
    const statement = await server.http.get('/metadata');
    const patient = statement.body.rest[0].resource.find((r: { type: string }) => r.type === 'Patient');
    assert.ok(patient.searchParam.some((p: { name: string; definition: string }) => p.name === 'district' && p.definition === districtParameter.url));
    await server.close();
  });
});
