// `[type]?code=…&_sort=-date`, which the SQLite store walks through the token and date index
// (server/store/sqlite/date-walk-sql.ts): the same pages as any other plan, on every adapter. A resource
// whose code repeats under two systems appears once, resources of the code without a date come last,
// other codes and deleted resources never.
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { forwardAndBack } from '../helpers/paging';

const loinc = 'http://loinc.org';

forEachStoreAdapter((adapter) => {
  describe('_sort=-date with a code, paged', () => {
    let server: TestServer;
    const obs = (id: string, effectiveDateTime: string | undefined, codings: { system: string; code: string }[] = [{ system: loinc, code: '29463-7' }]): Observation => ({
      resourceType: 'Observation',
      id,
      status: 'final',
      code: { coding: codings },
      ...(effectiveDateTime ? { effectiveDateTime } : {}),
    });
    before(async () => {
      server = createTestServer({ store: await adapter.open() });
      const written = [
        obs('mid', '2026-02-01'),
        obs('none-1', undefined),
        obs('other-code', '2026-04-01', [{ system: loinc, code: '8480-6' }]),
        obs('new', '2026-03-01'),
        obs('twice', '2026-02-15', [
          { system: loinc, code: '29463-7' },
          { system: 'urn:oid:2.16.156.10011.2.3.3.99', code: '29463-7' },
        ]),
        obs('old', '2026-01-01'),
        obs('same-day', '2026-02-01T00:00:00Z'),
        obs('deleted', '2026-03-15'),
        obs('none-2', undefined),
        // A period's end counts newest first: it sorts by its highest date.
        { ...obs('period', undefined), effectivePeriod: { start: '2025-12-01', end: '2026-02-20' } },
      ];
      for (const o of written) {
        await server.http.put(`/Observation/${o.id}`).set('Content-Type', fhirJson).send(o);
      }
      await server.http.delete('/Observation/deleted');
    });
    after(() => server.close());

    async function pages(query: string): Promise<{ ids: string[]; pages: number; back: string[][]; forward: string[][] }> {
      const { forward, back } = await forwardAndBack(server, query);
      return { ids: forward.flat(), pages: forward.length, back, forward };
    }

    // 'mid' (a day) ends after 'same-day' (an instant of that day); equal newest dates keep write order.
    const newestFirst = ['new', 'period', 'twice', 'mid', 'same-day', 'old', 'none-1', 'none-2'];

    for (const code of [`${loinc}|29463-7`, '29463-7']) {
      for (const count of [1, 3, 20]) {
        it(`orders ${code} newest first, each once, then those without a date, ${count} a page`, async () => {
          const { ids, pages: n } = await pages(`/Observation?code=${encodeURIComponent(code)}&_sort=-date&_count=${count}`);
          assert.deepEqual(ids, newestFirst);
          assert.equal(n, Math.ceil(newestFirst.length / count));
        });
      }
    }

    it('goes back by previous links to the same pages', async () => {
      const { forward, back } = await pages(`/Observation?code=${encodeURIComponent(`${loinc}|29463-7`)}&_sort=-date&_count=3`);
      assert.deepEqual(back, forward.slice(0, -1).reverse());
    });

    it('applies the other filters to the walked rows and counts the matches', async () => {
      const res = await server.http.get(`/Observation?code=${encodeURIComponent(`${loinc}|29463-7`)}&date=ge2026-02-01&_sort=-date&_total=accurate`);
      const bundle = res.body as Bundle;
      assert.deepEqual(
        bundle.entry?.map((e) => e.resource!.id),
        ['new', 'period', 'twice', 'mid', 'same-day']
      );
      assert.equal(bundle.total, 5);
    });

    it('finds nothing for a code under another system', async () => {
      const bundle = (await server.http.get(`/Observation?code=${encodeURIComponent('urn:other|29463-7')}&_sort=-date`)).body as Bundle;
      assert.deepEqual(bundle.entry ?? [], []);
    });
  });
});
