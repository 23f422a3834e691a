import type { Bundle, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patient } from '../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../helpers/test-server';

describe('search on _id and _lastUpdated', () => {
  let server: TestServer;
  let created: Patient[];
  beforeEach(async () => {
    server = createTestServer();
    created = [];
    for (let i = 0; i < 5; i++) {
      created.push((await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient())).body);
      await new Promise((r) => setTimeout(r, 3));
    }
  });
  afterEach(() => server.close());

  const ids = (bundle: Bundle): string[] =>
    (bundle.entry ?? []).filter((e) => e.search?.mode === 'match').map((e) => e.resource!.id!);

  it('returns a searchset Bundle with total, fullUrl and search mode', async () => {
    const res = await server.http.get('/Patient');
    assert.equal(res.status, 200);
    const bundle = res.body as Bundle;
    assert.equal(bundle.type, 'searchset');
    assert.equal(bundle.total, 5);
    assert.equal(bundle.entry?.[0].fullUrl, `${testBaseUrl}/Patient/${created[0].id}`);
    assert.equal(bundle.entry?.[0].search?.mode, 'match');
  });

  it('finds by _id, with comma-separated alternatives', async () => {
    const res = await server.http.get(`/Patient?_id=${created[1].id},${created[3].id}`);
    assert.deepEqual(ids(res.body).sort(), [created[1].id, created[3].id].sort());
  });

  it('filters by _lastUpdated with prefixes', async () => {
    const pivot = created[2].meta!.lastUpdated!;
    const ge = await server.http.get(`/Patient?_lastUpdated=ge${encodeURIComponent(pivot)}`);
    assert.deepEqual(ids(ge.body), created.slice(2).map((p) => p.id));
    const lt = await server.http.get(`/Patient?_lastUpdated=lt${encodeURIComponent(pivot)}`);
    assert.deepEqual(ids(lt.body), created.slice(0, 2).map((p) => p.id));
    const day = pivot.slice(0, 10);
    const sameDay = await server.http.get(`/Patient?_lastUpdated=${day}`);
    assert.equal(sameDay.body.total, 5);
    const range = await server.http.get(
      `/Patient?_lastUpdated=gt${encodeURIComponent(created[0].meta!.lastUpdated!)}&_lastUpdated=lt${encodeURIComponent(created[4].meta!.lastUpdated!)}`
    );
    assert.deepEqual(ids(range.body), created.slice(1, 4).map((p) => p.id));
  });

  it('sorts by -_lastUpdated and pages with next links that include each resource once', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/Patient?_sort=-_lastUpdated&_count=2';
    let pages = 0;
    while (url) {
      const bundle = (await server.http.get(url)).body as Bundle;
      seen.push(...ids(bundle));
      url = bundle.link?.find((l) => l.relation === 'next')?.url.replace(testBaseUrl, '');
      pages++;
      if (pages === 1) {
        // A write between pages must not shift the pages that follow.
        await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient());
      }
    }
    assert.deepEqual(seen.slice(0, 5), created.map((p) => p.id).reverse());
    assert.equal(new Set(seen).size, seen.length);
  });

  it('supports _summary=count and _total=none', async () => {
    const count = await server.http.get('/Patient?_summary=count');
    assert.equal(count.body.total, 5);
    assert.equal(count.body.entry.length, 0);
    const none = await server.http.get('/Patient?_total=none');
    assert.equal(none.body.total, undefined);
    assert.equal(ids(none.body).length, 5);
  });

  it('accepts POST _search with a form body', async () => {
    const res = await server.http
      .post('/Patient/_search')
      .set('Content-Type', 'application/x-www-form-urlencoded')
      .send(`_id=${created[0].id}`);
    assert.equal(res.status, 200);
    assert.deepEqual(ids(res.body), [created[0].id]);
  });

  it('ignores unknown parameters under lenient handling and reports them', async () => {
    const res = await server.http.get('/Patient?favourite-colour=red');
    assert.equal(res.status, 200);
    const outcome = (res.body as Bundle).entry?.find((e) => e.search?.mode === 'outcome');
    assert.equal(outcome?.resource?.resourceType, 'OperationOutcome');
    assert.equal(ids(res.body).length, 5);
  });

  it('refuses unknown parameters under Prefer: handling=strict with 400', async () => {
    const res = await server.http.get('/Patient?favourite-colour=red').set('Prefer', 'handling=strict');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['favourite-colour']);
  });

  it('refuses a malformed date with 400 naming the parameter', async () => {
    const res = await server.http.get('/Patient?_lastUpdated=ge2024-13-01');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['_lastUpdated']);
  });

  it('refuses a bad _count and an unsupported _sort with 400', async () => {
    assert.equal((await server.http.get('/Patient?_count=-1')).status, 400);
    assert.equal((await server.http.get('/Patient?_sort=favourite-colour')).status, 400);
  });
});
