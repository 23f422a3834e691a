// A resource read from the store is sent as the text it was stored as (server/json/stored-text.ts):
// the same bytes that serializing it would give, and never for a changed copy.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { stringifyKeepingNumbers } from '../../server/json/number-text';
import { parseStoredResource, serializeWithStoredTexts, storedTextOf } from '../../server/json/stored-text';
import { applySubset, parseSubsetRequest } from '../../server/fhir/subsetting';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

describe('stored text', () => {
  // Spaces that serializing never writes: text that comes back with them was spliced, not re-serialized.
  const stored = '{"resourceType": "Observation","id":"o1","status":"final","code":{"text":"weight"},"valueQuantity":{"value":72.50,"unit":"kg"}}';

  it('remembers the text of a parsed stored resource, and of nothing else', () => {
    const resource = parseStoredResource(stored);
    assert.equal(storedTextOf(resource), stored);
    assert.equal(storedTextOf({ ...resource }), undefined);
    assert.equal(storedTextOf(applySubset(resource, parseSubsetRequest(new URLSearchParams('_elements=status'), false))), undefined);
    assert.equal(storedTextOf(applySubset(resource, parseSubsetRequest(new URLSearchParams(''), false))), stored);
  });

  it('writes a Bundle with the stored texts of its entries, equal as JSON to serializing it', () => {
    const resource = parseStoredResource(stored) as Observation;
    const copy: Observation = { resourceType: 'Observation', id: 'o2', status: 'final', code: { text: 'copy' } };
    const bundle: Bundle = { resourceType: 'Bundle', type: 'searchset', total: 2, entry: [{ fullUrl: 'x/o1', resource, search: { mode: 'match' } }, { resource: copy }] };
    const text = serializeWithStoredTexts(bundle)!.join('');
    assert.ok(text.includes(stored), text);
    // Byte for byte what serializing gives, but for the stored text written as stored.
    assert.equal(text, stringifyKeepingNumbers(bundle).replace(stringifyKeepingNumbers(resource), stored));
    // The decimal's written text (72.50) is the stored one.
    assert.ok(text.includes('"value":72.50'));
    assert.equal(serializeWithStoredTexts({ ...bundle, entry: [{ resource: copy }] }), undefined);
  });

  describe('over HTTP', () => {
    let server: TestServer;
    before(async () => {
      server = createTestServer();
      const o: Observation = { resourceType: 'Observation', id: 'w1', status: 'final', code: { text: 'weight' }, valueQuantity: { value: 72.5, unit: 'kg' } };
      await server.http.put('/Observation/w1').set('Content-Type', fhirJson).send(JSON.stringify(o).replace('72.5', '72.50'));
    });
    after(() => server.close());

    it('answers a read and a search with the stored resource, _elements with the subset only', async () => {
      const read = await server.http.get('/Observation/w1');
      assert.equal(read.status, 200);
      assert.ok(read.text.includes('"value":72.50'), read.text);
      assert.equal((read.body as Observation).meta?.versionId, '1');
      const search = await server.http.get('/Observation?_id=w1');
      assert.ok(search.text.includes('"value":72.50'), search.text);
      assert.equal((search.body as Bundle).entry?.[0].resource?.id, 'w1');
      const subset = await server.http.get('/Observation/w1?_elements=status');
      assert.equal((subset.body as Observation).valueQuantity, undefined);
      const subsetSearch = await server.http.get('/Observation?_id=w1&_elements=status');
      assert.equal(((subsetSearch.body as Bundle).entry?.[0].resource as Observation).valueQuantity, undefined);
    });
  });
});
