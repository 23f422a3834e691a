// Every fixture in test/fixtures/roundtrip is created and read back unchanged apart from id and meta.
import type { Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import { createReferencedTargets } from '../helpers/reference-targets';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const fixtureDir = path.resolve(__dirname, '../../../test/fixtures/roundtrip');
const fixtures = fs
  .readdirSync(fixtureDir)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((file) => ({ file, resource: JSON.parse(fs.readFileSync(path.join(fixtureDir, file), 'utf8')) as Resource }));

function withoutServerFields(resource: Resource): Resource {
  const { id: _id, meta, ...rest } = resource;
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta ?? {};
  return (Object.keys(metaRest).length ? { ...rest, meta: metaRest } : rest) as Resource;
}

describe('round trip of varied R4 resources', () => {
  let server: TestServer;
  before(() => {
    server = createTestServer();
  });
  after(() => server.close());

  it('has at least 50 fixtures over at least 40 resource types', () => {
    assert.ok(fixtures.length >= 50, `${fixtures.length} fixtures`);
    assert.ok(new Set(fixtures.map((f) => f.resource.resourceType)).size >= 40);
  });

  for (const { file, resource } of fixtures) {
    it(`creates and reads back ${file}`, async () => {
      await createReferencedTargets(server.http, resource);
      const created = await server.http.post(`/${resource.resourceType}`).set('Content-Type', fhirJson).send(resource);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const read = await server.http.get(`/${resource.resourceType}/${created.body.id}`);
      assert.equal(read.status, 200);
      assert.deepEqual(withoutServerFields(read.body), withoutServerFields(resource));
      assert.equal(read.body.meta.versionId, '1');
    });
  }
});
