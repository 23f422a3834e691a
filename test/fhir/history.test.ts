import type { Bundle, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { observation, patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('history (instance, type, system)', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  const create = async (body: object): Promise<Patient> =>
    (await server.http.post(`/${(body as Patient).resourceType}`).set('Content-Type', fhirJson).send(body)).body;

  /** Follows next links from a path, returning every entry. */
  async function allPages(path: string): Promise<Bundle['entry']> {
    const entries: NonNullable<Bundle['entry']> = [];
    let url: string | undefined = path;
    while (url) {
      const res = await server.http.get(url);
      assert.equal(res.status, 200);
      const bundle = res.body as Bundle;
      entries.push(...(bundle.entry ?? []));
      const next = bundle.link?.find((l) => l.relation === 'next')?.url;
      url = next?.replace(testBaseUrl, '');
    }
    return entries;
  }

  it('lists every version of a resource newest first, with request and response details', async () => {
    const p = await create(patient());
    await server.http.put(`/Patient/${p.id}`).set('Content-Type', fhirJson).send({ ...p, active: true });
    await server.http.delete(`/Patient/${p.id}`);
    const res = await server.http.get(`/Patient/${p.id}/_history`);
    assert.equal(res.status, 200);
    const bundle = res.body as Bundle;
    assert.equal(bundle.type, 'history');
    assert.deepEqual(
      bundle.entry?.map((e) => [e.request?.method, e.response?.status, e.response?.etag]),
      [
        ['DELETE', '204', 'W/"3"'],
        ['PUT', '200', 'W/"2"'],
        ['POST', '201', 'W/"1"'],
      ]
    );
    assert.equal(bundle.entry?.[0].resource, undefined);
    assert.equal((bundle.entry?.[1].resource as Patient).active, true);
    assert.equal(bundle.entry?.[2].fullUrl, `${testBaseUrl}/Patient/${p.id}`);
    assert.ok(bundle.link?.some((l) => l.relation === 'self'));
  });

  it('answers 404 for the history of an unknown resource', async () => {
    const res = await server.http.get('/Patient/unknown/_history');
    assert.equal(res.status, 404);
  });

  it('pages type history with _count and next links, each version exactly once', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) {
      ids.push((await create(patient({ birthDate: `1980-01-0${i + 1}` }))).id!);
    }
    await create(observation(ids[0]));
    const entries = await allPages('/Patient/_history?_count=3');
    assert.equal(entries?.length, 7);
    assert.deepEqual(entries?.map((e) => (e.resource as Patient).id), [...ids].reverse());
  });

  it('keeps paging correct while new versions are written between pages', async () => {
    for (let i = 0; i < 5; i++) {
      await create(patient());
    }
    const first = (await server.http.get('/_history?_count=2')).body as Bundle;
    await create(patient());
    await create(patient());
    const rest = await allPages(first.link!.find((l) => l.relation === 'next')!.url.replace(testBaseUrl, ''));
    // Each create wrote its Provenance too (docs/audit.md): 5 Patients and 5 Provenances were there.
    assert.equal((first.entry?.length ?? 0) + (rest?.length ?? 0), 10);
  });

  it('spans resource types at system level', async () => {
    const p = await create(patient());
    await create(observation(p.id!));
    const res = await server.http.get('/_history');
    const types = (res.body as Bundle).entry?.map((e) => e.resource?.resourceType);
    // Newest first; each write's Provenance is written after it, in its transaction (docs/audit.md).
    assert.deepEqual(types, ['Provenance', 'Observation', 'Provenance', 'Patient']);
  });

  it('filters with _since (versions written at or after) and _at (versions current then)', async () => {
    const p = await create(patient());
    await new Promise((r) => setTimeout(r, 15));
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 15));
    await server.http.put(`/Patient/${p.id}`).set('Content-Type', fhirJson).send({ ...p, active: true });
    const since = await server.http.get(`/Patient/${p.id}/_history?_since=${encodeURIComponent(between)}`);
    assert.deepEqual(since.body.entry.map((e: { response: { etag: string } }) => e.response.etag), ['W/"2"']);
    const at = await server.http.get(`/Patient/${p.id}/_history?_at=${encodeURIComponent(between)}`);
    assert.deepEqual(at.body.entry.map((e: { response: { etag: string } }) => e.response.etag), ['W/"1"']);
  });

  it('refuses a malformed _since with 400 naming it', async () => {
    const res = await server.http.get('/_history?_since=yesterday');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['_since']);
  });

  it('refuses a forged cursor with 400', async () => {
    const res = await server.http.get('/_history?_cursor=not-a-cursor');
    assert.equal(res.status, 400);
  });
});
