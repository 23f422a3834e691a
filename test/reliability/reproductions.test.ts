// One test per reproduction of the hardening issue: each request used to answer 500 (or to store something
// other than what was sent); now each is a 4xx OperationOutcome naming the problem, and the server keeps serving.
import { strict as assert } from 'node:assert';
import zlib from 'node:zlib';
import { defaultLimits } from '../../server/config';
import { rawRequest } from '../helpers/raw-request';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

/** A JSON object nested `depth` levels deep, as text (JSON.stringify itself would overflow the stack). */
function nested(depth: number): string {
  return '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** Extensions nested `depth` levels, as text. */
function nestedExtension(depth: number): string {
  return '{"url":"http://x.example","extension":['.repeat(depth) + '{"url":"http://x.example","valueString":"y"}' + ']}'.repeat(depth);
}

describe('hardening reproductions', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await server.http.put('/Patient/p1').set('Content-Type', fhirJson).send({ resourceType: 'Patient', id: 'p1' });
  });
  after(() => server.close());

  /** Asserts a 4xx OperationOutcome whose first issue has `code` and text matching `text`; then that the server still serves. */
  async function assertRefused(res: { status: number; body: { resourceType?: string; issue?: { code: string; details?: { text?: string } }[] } }, status: number, code: string, text?: RegExp): Promise<void> {
    assert.equal(res.status, status, JSON.stringify(res.body).slice(0, 300));
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.equal(res.body.issue?.[0].code, code);
    if (text) {
      assert.match(res.body.issue?.[0].details?.text ?? '', text);
    }
    assert.equal((await server.http.get('/Patient/p1')).status, 200);
  }

  describe('_count', () => {
    for (const path of ['/_history', '/Patient/_history', '/Patient/p1/_history']) {
      it(`${path}?_count=0 answers an empty page without a next link`, async () => {
        const res = await server.http.get(`${path}?_count=0`);
        assert.equal(res.status, 200);
        assert.deepEqual(res.body.entry, []);
        assert.deepEqual(res.body.link.map((l: { relation: string }) => l.relation), ['self']);
      });
    }
    for (const path of ['/_history', '/Patient/_history', '/Patient', '/Patient/p1/$everything']) {
      for (const raw of ['', '%20']) {
        it(`${path}?_count=${raw} is refused with 400`, async () => {
          await assertRefused(await server.http.get(`${path}?_count=${raw}`), 400, 'invalid', /_count/);
        });
      }
    }
  });

  for (const name of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
    it(`FHIRPath Patch adding an element named '${name}' is refused with 422`, async () => {
      const body = {
        resourceType: 'Parameters',
        parameter: [
          {
            name: 'operation',
            part: [
              { name: 'type', valueCode: 'add' },
              { name: 'path', valueString: 'Patient' },
              { name: 'name', valueString: name },
              { name: 'value', valueString: 'x' },
            ],
          },
        ],
      };
      await assertRefused(await server.http.patch('/Patient/p1').set('Content-Type', fhirJson).send(body), 422, 'processing', new RegExp(`no element '${name}'`));
    });
  }

  describe('deep nesting is refused at the body, naming FHIR_MAX_JSON_DEPTH', () => {
    const cases: [string, string, string, string][] = [
      ['a JSON Patch value 10,000 levels deep', 'PATCH', '/Patient/p1', `[{"op":"add","path":"/extension","value":${nested(10_000)}}]`],
      ['$validate with extensions 5,000 levels deep', 'POST', '/Patient/$validate', `{"resourceType":"Patient","extension":[${nestedExtension(5000)}]}`],
      [
        'a transaction entry 10,000 levels deep',
        'POST',
        '/',
        `{"resourceType":"Bundle","type":"transaction","entry":[{"request":{"method":"POST","url":"Patient"},"resource":{"resourceType":"Patient","extension":[${nestedExtension(10_000)}]}}]}`,
      ],
    ];
    for (const [label, method, path, body] of cases) {
      it(label, async () => {
        const type = method === 'PATCH' ? 'application/json-patch+json' : fhirJson;
        const res = await rawRequest(server.app, method, path, { 'Content-Type': type }, body);
        await assertRefused({ status: res.status, body: res.json ?? {} }, 400, 'invalid', /FHIR_MAX_JSON_DEPTH/);
      });
    }

    it('accepts nesting up to the limit', async () => {
      // Patient.contact.name.extension.extension...: 2 levels per extension, under the limit of 100.
      const body = `{"resourceType":"Patient","extension":[${nestedExtension(40)}]}`;
      const res = await rawRequest(server.app, 'POST', '/Patient', { 'Content-Type': fhirJson }, body);
      assert.equal(res.status, 201, res.text.slice(0, 300));
    });
  });

  describe('search limits answer 400 naming the limit', () => {
    const values = (n: number, prefix: string): string => Array.from({ length: n }, (_, i) => `${prefix}${i}`).join(',');
    const cases: [string, string, RegExp][] = [
      ['code= with 1,000 values', `/Observation?code=${values(1000, 'c')}`, /FHIR_SEARCH_MAX_VALUES/],
      ['name=a repeated 1,000 times', `/Patient?${Array.from({ length: 1000 }, () => 'name=a').join('&')}`, /FHIR_SEARCH_MAX_PARAMETERS/],
      ['_sort with 2,000 keys', `/Patient?_sort=${Array.from({ length: 2000 }, () => 'name').join(',')}`, /FHIR_SEARCH_MAX_SORT_KEYS/],
      ['a chain 50 levels deep', `/Observation?subject:Patient.organization${'.partof'.repeat(48)}.name=x`, /FHIR_SEARCH_MAX_CHAIN_DEPTH/],
      ['_has 50 levels deep', `/Patient?${'_has:Patient:link:'.repeat(50)}name=x`, /FHIR_SEARCH_MAX_CHAIN_DEPTH/],
    ];
    for (const [label, path, limit] of cases) {
      it(label, async () => {
        await assertRefused(await server.http.get(path), 400, 'too-costly', limit);
      });
    }

    it('If-None-Exist with 1,500 values', async () => {
      const res = await server.http
        .post('/Patient')
        .set('Content-Type', fhirJson)
        .set('If-None-Exist', `identifier=${values(1500, 's|')}`)
        .send({ resourceType: 'Patient' });
      await assertRefused(res, 400, 'too-costly', /FHIR_SEARCH_MAX_VALUES/);
    });

    it('a search at the limits is answered', async () => {
      const { searchValues, sortKeys, chainDepth } = defaultLimits;
      const sort = Array.from({ length: sortKeys }, () => 'name').join(',');
      const chain = `subject:Patient.organization${'.partof'.repeat(chainDepth - 2)}.name=x`;
      const res = await server.http.get(`/Observation?code=${values(searchValues, 'c')}&_sort=date&${chain}`);
      assert.equal(res.status, 200, JSON.stringify(res.body).slice(0, 300));
      assert.equal((await server.http.get(`/Patient?_sort=${sort}`)).status, 200);
    });
  });

  for (const encoding of ['gzip', 'deflate', 'br']) {
    it(`a body that claims Content-Encoding: ${encoding} but is not is refused with 400`, async () => {
      const res = await rawRequest(server.app, 'POST', '/Patient', { 'Content-Type': fhirJson, 'Content-Encoding': encoding }, '{"resourceType":"Patient"}');
      await assertRefused({ status: res.status, body: res.json ?? {} }, 400, 'invalid', /Content-Encoding/);
    });
  }

  it('a body that is gzip as it claims is read', async () => {
    const body = zlib.gzipSync('{"resourceType":"Patient","gender":"female"}');
    const res = await rawRequest(server.app, 'POST', '/Patient', { 'Content-Type': fhirJson, 'Content-Encoding': 'gzip' }, body);
    assert.equal(res.status, 201);
    assert.equal(res.json?.gender, 'female');
  });

  it('$validate with a meta.profile that is not an array reports it', async () => {
    const res = await server.http.post('/Patient/$validate').set('Content-Type', fhirJson).send({ resourceType: 'Patient', meta: { profile: 'http://x.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.body.issue[0].code, 'structure');
    assert.deepEqual(res.body.issue[0].expression, ['Patient.meta.profile']);
  });
});
