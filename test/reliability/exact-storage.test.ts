// Store exactly what was sent, or refuse it: what JSON.parse would silently change is refused, and a
// decimal keeps its written precision from the request body to storage and back
// (https://hl7.org/fhir/R4/datatypes.html#decimal).
import { strict as assert } from 'node:assert';
import { rawRequest } from '../helpers/raw-request';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const observation = (value: string): string =>
  `{"resourceType":"Observation","status":"final","code":{"text":"dose"},"valueQuantity":{"value":${value},"unit":"mg"}}`;

describe('storing exactly what was sent', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  const post = (body: Buffer | string, path = '/Observation'): ReturnType<typeof rawRequest> =>
    rawRequest(server.app, 'POST', path, { 'Content-Type': fhirJson }, body);

  const refusals: [string, Buffer | string, RegExp][] = [
    ['a number beyond the double range (1e400)', observation('1e400'), /out of range/],
    ['invalid UTF-8 bytes', Buffer.concat([Buffer.from('{"resourceType":"Observation","status":"final","code":{"text":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}}')]), /UTF-8/],
    ['a duplicate key', '{"resourceType":"Observation","status":"final","status":"amended","code":{"text":"x"}}', /'status' twice/],
    ['a duplicate key written with an escape', '{"resourceType":"Observation","status":"final","st\\u0061tus":"amended","code":{"text":"x"}}', /'status' twice/],
  ];
  for (const [label, body, text] of refusals) {
    it(`refuses ${label} with 400 and stores nothing`, async () => {
      const res = await post(body);
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json?.issue?.[0].code, 'invalid');
      assert.match(res.json?.issue?.[0].details?.text ?? '', text);
      assert.equal((await server.http.get('/Observation')).body.entry.length, 0);
    });
  }

  it('accepts a UTF-8 byte-order mark at the start of a body', async () => {
    const res = await post(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(observation('7'))]));
    assert.equal(res.status, 201, res.text);
  });

  it('allows the same key in different objects', async () => {
    const res = await post('{"resourceType":"Observation","status":"final","code":{"text":"x","coding":[{"code":"a"},{"code":"b"}]}}');
    assert.equal(res.status, 201, res.text);
  });

  for (const value of ['1.50', '12345678901234567890', '0.10', '1.0e2']) {
    it(`keeps the decimal ${value} as written through create, read, vread, search and history`, async () => {
      const created = await post(observation(value));
      assert.equal(created.status, 201, created.text);
      assert.match(created.text, new RegExp(`"value":${value.replace('.', '\\.')},`));
      const id = created.json?.id as string;
      for (const path of [`/Observation/${id}`, `/Observation/${id}/_history/1`, '/Observation', `/Observation/${id}/_history`, '/_history']) {
        const res = await rawRequest(server.app, 'GET', path, {});
        assert.ok(res.text.includes(`"value":${value},`), `${path}: ${res.text.slice(0, 400)}`);
      }
    });
  }

  for (const type of ['transaction', 'batch']) {
    it(`keeps decimals written in a ${type} Bundle, and through _elements`, async () => {
      const entry = `{"resource":${observation('1.50')},"request":{"method":"POST","url":"Observation"}}`;
      const res = await post(`{"resourceType":"Bundle","type":"${type}","entry":[${entry}]}`, '/');
      assert.equal(res.status, 200, res.text);
      assert.match(res.text, /"value":1\.50,/);
      for (const path of ['/Observation', '/Observation?_elements=valueQuantity']) {
        assert.match((await rawRequest(server.app, 'GET', path, {})).text, /"value":1\.50,/, path);
      }
    });
  }

  it('keeps the written decimals a patch does not touch, JSON Patch and FHIRPath Patch alike', async () => {
    const id = (await post(observation('1.50'))).json?.id as string;
    const jsonPatch = await rawRequest(server.app, 'PATCH', `/Observation/${id}`, { 'Content-Type': 'application/json-patch+json' }, '[{"op":"replace","path":"/status","value":"amended"}]');
    assert.equal(jsonPatch.status, 200, jsonPatch.text);
    assert.match(jsonPatch.text, /"value":1\.50,/);
    const parameters = '{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},{"name":"path","valueString":"Observation.status"},{"name":"value","valueCode":"corrected"}]}]}';
    const fhirPathPatch = await rawRequest(server.app, 'PATCH', `/Observation/${id}`, { 'Content-Type': fhirJson }, parameters);
    assert.equal(fhirPathPatch.status, 200, fhirPathPatch.text);
    const read = await rawRequest(server.app, 'GET', `/Observation/${id}`, {});
    assert.match(read.text, /"status":"corrected"/);
    assert.match(read.text, /"value":1\.50,/);
  });

  it('searches, validates and indexes a kept decimal as its number', async () => {
    const created = await post(observation('1.50'));
    assert.equal(created.status, 201);
    const found = await server.http.get('/Observation?value-quantity=1.5');
    assert.equal(found.body.entry.length, 1);
    assert.equal((await server.http.get('/Observation?value-quantity=3')).body.entry.length, 0);
  });

  it('writes a new version when only the written precision changes, and none when nothing does', async () => {
    const id = (await post(observation('1.5'))).json?.id as string;
    const withId = (value: string): string => observation(value).replace('{"resourceType":"Observation",', `{"resourceType":"Observation","id":"${id}",`);
    const changed = await rawRequest(server.app, 'PUT', `/Observation/${id}`, { 'Content-Type': fhirJson }, withId('1.50'));
    assert.equal(changed.status, 200);
    assert.equal((changed.json?.meta as { versionId: string }).versionId, '2');
    const same = await rawRequest(server.app, 'PUT', `/Observation/${id}`, { 'Content-Type': fhirJson }, withId('1.50'));
    assert.equal((same.json?.meta as { versionId: string }).versionId, '2');
    assert.match(same.text, /"value":1\.50,/);
  });
});

describe('bounded size of a stored resource and of a page', () => {
  it('refuses a resource larger than FHIR_MAX_RESOURCE_MB with 413, also inside a transaction', async () => {
    const server = createTestServer({ limits: { resourceBytes: 2000 } });
    try {
      const big = { resourceType: 'Patient', name: [{ given: Array.from({ length: 300 }, (_, i) => `n${i}`) }] };
      const res = await server.http.post('/Patient').set('Content-Type', fhirJson).send(big);
      assert.equal(res.status, 413);
      assert.equal(res.body.issue[0].code, 'too-costly');
      assert.match(res.body.issue[0].details.text, /FHIR_MAX_RESOURCE_MB/);
      const bundle = { resourceType: 'Bundle', type: 'transaction', entry: [{ request: { method: 'POST', url: 'Patient' }, resource: big }] };
      const tx = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
      assert.equal(tx.status, 413);
      assert.equal((await server.http.get('/Patient')).body.entry.length, 0);
      assert.equal((await server.http.post('/Patient').set('Content-Type', fhirJson).send({ resourceType: 'Patient' })).status, 201);
    } finally {
      await server.close();
    }
  });

  it('cuts a search or history page that would pass FHIR_MAX_PAGE_MB, with a next link that continues it', async () => {
    const server = createTestServer({ limits: { pageBytes: 5000 } });
    try {
      const ids: string[] = [];
      for (let i = 0; i < 6; i++) {
        const given = Array.from({ length: 100 }, (_, j) => `g${i}-${j}`);
        ids.push((await server.http.post('/Patient').set('Content-Type', fhirJson).send({ resourceType: 'Patient', name: [{ given }] })).body.id);
      }
      for (const start of ['/Patient?_count=10', '/Patient/_history?_count=10']) {
        const seen: string[] = [];
        let url: string | undefined = start;
        let pages = 0;
        while (url) {
          const page = await server.http.get(url);
          assert.equal(page.status, 200);
          assert.ok(page.body.entry.length >= 1 && page.body.entry.length < 6, `${url}: ${page.body.entry.length} entries`);
          seen.push(...page.body.entry.map((e: { resource: { id: string } }) => e.resource.id));
          const next = page.body.link.find((l: { relation: string }) => l.relation === 'next');
          url = next ? next.url.replace('http://fhir.test', '') : undefined;
          pages++;
        }
        assert.ok(pages > 1);
        assert.deepEqual([...seen].sort(), [...ids].sort());
      }
      // $everything: each type's part of a page is bounded the same way.
      const notes = Array.from({ length: 100 }, (_, j) => ({ text: `note ${j} `.repeat(3) }));
      const observations: string[] = [];
      for (let i = 0; i < 4; i++) {
        const body = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${ids[0]}` }, note: notes };
        observations.push((await server.http.post('/Observation').set('Content-Type', fhirJson).send(body)).body.id);
      }
      const everything: string[] = [];
      let url: string | undefined = `/Patient/${ids[0]}/$everything?_count=50`;
      let everythingPages = 0;
      while (url) {
        everythingPages++;
        const page = await server.http.get(url);
        assert.equal(page.status, 200);
        everything.push(...page.body.entry.map((e: { resource: { id: string } }) => e.resource.id));
        const next = page.body.link.find((l: { relation: string }) => l.relation === 'next');
        url = next ? next.url.replace('http://fhir.test', '') : undefined;
      }
      assert.deepEqual(everything.filter((id) => observations.includes(id)).sort(), [...observations].sort());
      assert.ok(everythingPages > 1, 'the Observations do not fit in one page of 5,000 bytes');
    } finally {
      await server.close();
    }
  });
});
