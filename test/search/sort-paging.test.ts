// Sorting on a date parameter, read by walking the date index, pages like any other order: resources
// without the date come last in both directions, and each resource appears once across pages.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { forwardAndBack } from '../helpers/paging';

forEachStoreAdapter((adapter) => {
  describe('_sort on a date, paged', () => {
    let server: TestServer;
    const obs = (id: string, effectiveDateTime?: string): Observation => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: [{ system: 'http://loinc.org', code: '29463-7' }] },
      ...(effectiveDateTime ? { effectiveDateTime } : {}),
    });
    before(async () => {
      server = createTestServer({ store: await adapter.open() });
      for (const o of [obs('mid', '2026-02-01'), obs('none-1'), obs('new', '2026-03-01'), obs('old', '2026-01-01'), obs('none-2')]) {
        await server.http.put(`/Observation/${o.id}`).set('Content-Type', fhirJson).send(o);
      }
    });
    after(() => server.close());

    async function pages(query: string): Promise<string[]> {
      const seen: string[] = [];
      let url: string | undefined = query;
      while (url) {
        const res = await server.http.get(url);
        assert.equal(res.status, 200, JSON.stringify(res.body));
        const bundle = res.body as Bundle;
        seen.push(...(bundle.entry ?? []).map((e) => e.resource!.id!));
        url = bundle.link?.find((l) => l.relation === 'next')?.url.replace(testBaseUrl, '');
      }
      return seen;
    }

    for (const query of ['/Observation?_count=2', '/Observation?_sort=-date&_count=2', '/Observation?code=29463-7&_sort=date,_id&_count=2']) {
      it(`goes back by previous links to the same pages: ${query}`, async () => {
        const { forward, back } = await forwardAndBack(server, query);
        assert.equal(forward.length, 3);
        assert.deepEqual(back, forward.slice(0, -1).reverse());
      });
    }

    it('has no previous link on the first page', async () => {
      const bundle = (await server.http.get('/Observation?_count=2')).body as Bundle;
      assert.equal(bundle.link?.find((l) => l.relation === 'previous'), undefined);
    });

    for (const count of [1, 2, 10]) {
      it(`orders newest first, then those without a date, ${count} a page`, async () => {
        assert.deepEqual(await pages(`/Observation?_sort=-date&_count=${count}`), ['new', 'mid', 'old', 'none-1', 'none-2']);
      });
      it(`orders oldest first, then those without a date, ${count} a page, with a filter`, async () => {
        assert.deepEqual(await pages(`/Observation?code=29463-7&_sort=date&_count=${count}`), ['old', 'mid', 'new', 'none-1', 'none-2']);
      });
    }
  });
});
