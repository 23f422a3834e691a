// The generated profiles load into the store like the terminology (server/main.ts does this at start-up),
// so the server serves the ImplementationGuide and the StructureDefinitions it lists.
import type { Bundle, ImplementationGuide } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { loadContentDirectory } from '../../server/content/content-loader';
import { createTestServer, memoryStore } from '../helpers/test-server';
import { generatedDir, generatedResources } from './profile-validation';

describe('the implementation guide served by the server', function () {
  this.timeout(30_000);
  it('loads profiles/generated once, then serves the ImplementationGuide and every resource it lists', async () => {
    const store = memoryStore();
    const server = createTestServer({ store });
    try {
      const files = generatedResources().size;
      const counts = async (): Promise<object> => {
        const { owned, ...rest } = await loadContentDirectory(store, generatedDir);
        return { ...rest, owned: owned.length };
      };
      assert.deepEqual(await counts(), { files, written: files, unchanged: 0, owned: files });
      assert.deepEqual(await counts(), { files, written: 0, unchanged: files, owned: files });

      const search = await server.http.get('/ImplementationGuide?url=https://fhir.dhc.example/ImplementationGuide/dhc.fhir.network');
      assert.equal(search.status, 200);
      const ig = (search.body as Bundle<ImplementationGuide>).entry?.[0]?.resource;
      assert.ok(ig, 'the ImplementationGuide is found by its url');
      for (const listed of ig.definition?.resource ?? []) {
        const res = await server.http.get(`/${listed.reference.reference}`);
        assert.equal(res.status, 200, `${listed.reference.reference} is served`);
      }
      const profile = await server.http.get('/StructureDefinition?url=https://fhir.dhc.example/StructureDefinition/dhc-patient');
      assert.equal(profile.body.entry?.[0]?.resource?.snapshot?.element?.[0]?.id, 'Patient');
    } finally {
      await server.close();
    }
  });
});
