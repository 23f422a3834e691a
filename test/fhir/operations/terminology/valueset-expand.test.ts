// GET and POST ValueSet/$expand and ValueSet/[id]/$expand over HTTP, on the network's terminology PUT
// into the server: filters in Chinese and English, paging, displayLanguage, inline ValueSets, errors,
// and a changed CodeSystem changing the next expansion.
import type { Bundle, CodeSystem, ValueSet } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, fhirJson, type TestServer } from '../../../helpers/test-server';
import { icd10, loadTerminology, networkResource, valueSetUrl, postParameters } from '../../../helpers/terminology';

const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code as string);

describe('ValueSet/$expand', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it("GET by url with a Chinese filter: '糖尿病' finds the type 2 diabetes codes", async () => {
    const res = await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('chronic-disease-diagnoses'), filter: '糖尿病' });
    assert.equal(res.status, 200);
    assert.equal(res.body.resourceType, 'ValueSet');
    assert.equal(res.body.expansion.total, 12);
    assert.ok(codes(res.body).includes('E11.900'));
    assert.match(res.headers['content-type'], /application\/fhir\+json/);
  });

  it("GET with '高血压', and with English words", async () => {
    const zh = await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('chronic-disease-diagnoses'), filter: '高血压' });
    assert.equal(zh.body.expansion.total, 17);
    const en = await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('formulary-antihypertensives'), filter: 'amlodipine' });
    assert.ok(en.body.expansion.total >= 1);
    assert.ok(codes(en.body).every((c) => c.includes('amlodipine')));
  });

  it('GET on an instance, paged, displayed in Chinese', async () => {
    const res = await server.http.get('/ValueSet/hypertension-diagnoses/$expand').query({ displayLanguage: 'zh-CN', offset: 1, count: 2 });
    assert.equal(res.status, 200);
    assert.equal(res.body.id, 'hypertension-diagnoses');
    assert.equal(res.body.expansion.total, 17);
    assert.equal(res.body.expansion.offset, 1);
    assert.deepEqual(
      res.body.expansion.contains.map((c: { code: string; display: string }) => [c.code, c.display]),
      [
        ['I11.0', '高血压性心脏病伴有（充血性）心力衰竭'],
        ['I11.9', '高血压性心脏病不伴有（充血性）心力衰竭'],
      ]
    );
    const echoed = res.body.expansion.parameter.map((p: { name: string }) => p.name);
    assert.deepEqual(echoed.filter((n: string) => n !== 'used-codesystem'), ['offset', 'count', 'displayLanguage']);
  });

  it('POST an inline ValueSet in a Parameters body: ICD-10 E11 and its children', async () => {
    const valueSet: ValueSet = {
      resourceType: 'ValueSet',
      status: 'active',
      compose: { include: [{ system: icd10, filter: [{ property: 'concept', op: 'is-a', value: 'E11' }] }] },
    };
    const res = await postParameters(server, '/ValueSet/$expand', [
      { name: 'valueSet', resource: valueSet },
      { name: 'count', valueInteger: 3 },
      { name: 'includeDesignations', valueBoolean: true },
    ]);
    assert.equal(res.status, 200);
    assert.equal(res.body.expansion.total, 11);
    assert.deepEqual(codes(res.body), ['E11', 'E11.0', 'E11.1']);
    assert.equal(res.body.expansion.contains[0].designation[0].value, '非胰岛素依赖型糖尿病');
  });

  it('POST on an instance with a filter', async () => {
    const res = await postParameters(server, '/ValueSet/formulary-antidiabetics/$expand', [{ name: 'filter', valueString: '二甲双胍' }]);
    assert.equal(res.status, 200);
    assert.equal(res.body.expansion.total, 4);
    assert.ok(codes(res.body).every((c) => c.startsWith('metformin-')));
  });

  it('expands a base R4 ValueSet the store does not hold', async () => {
    const res = await server.http.get('/ValueSet/$expand').query({ url: 'http://hl7.org/fhir/ValueSet/administrative-gender' });
    assert.equal(res.status, 200);
    assert.deepEqual(codes(res.body), ['male', 'female', 'other', 'unknown']);
  });

  describe('errors', () => {
    const expectIssue = (res: { status: number; body: { issue: { code: string; expression?: string[] }[] } }, status: number, code: string, expression?: string): void => {
      assert.equal(res.status, status);
      assert.equal(res.body.issue[0].code, code);
      assert.deepEqual(res.body.issue[0].expression, expression === undefined ? undefined : [expression]);
    };

    it('no ValueSet named: 400 naming url', async () => {
      expectIssue(await server.http.get('/ValueSet/$expand'), 400, 'invalid', 'url');
    });

    it('a count or offset that is no whole number: 400 naming it', async () => {
      const url = valueSetUrl('eqa-statuses');
      expectIssue(await server.http.get('/ValueSet/$expand').query({ url, count: 'ten' }), 400, 'invalid', 'count');
      expectIssue(await server.http.get('/ValueSet/$expand').query({ url, offset: '-1' }), 400, 'invalid', 'offset');
      expectIssue(await server.http.get('/ValueSet/$expand').query({ url, activeOnly: 'yes' }), 400, 'invalid', 'activeOnly');
    });

    it('a ValueSet resource in a URL, a body that is no Parameters, a parameter of the wrong type: 400', async () => {
      expectIssue(await server.http.get('/ValueSet/$expand').query({ valueSet: '{}' }), 400, 'invalid', 'valueSet');
      const notParameters = await server.http.post('/ValueSet/$expand').set('Content-Type', fhirJson).send({ resourceType: 'ValueSet', status: 'active' });
      expectIssue(notParameters, 400, 'invalid');
      const wrongType = await postParameters(server, '/ValueSet/$expand', [
        { name: 'url', valueString: valueSetUrl('eqa-statuses') },
        { name: 'count', valueString: '2' },
      ]);
      expectIssue(wrongType, 400, 'invalid', 'count');
    });

    it('an unknown url: 404; an unknown or deleted instance: 404 and 410', async () => {
      expectIssue(await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('nope') }), 404, 'not-found', 'url');
      expectIssue(await server.http.get('/ValueSet/nope/$expand'), 404, 'not-found');
      const doomed: ValueSet = {
        resourceType: 'ValueSet',
        id: 'doomed',
        url: 'https://example.org/ValueSet/doomed',
        status: 'active',
        compose: { include: [{ system: icd10, concept: [{ code: 'I10' }] }] },
      };
      await server.http.put('/ValueSet/doomed').set('Content-Type', fhirJson).send(doomed);
      await server.http.delete('/ValueSet/doomed');
      expectIssue(await server.http.get('/ValueSet/doomed/$expand'), 410, 'deleted');
    });

    it('a system it does not know: 422; unknown parameters are refused only under Prefer: handling=strict', async () => {
      const res = await postParameters(server, '/ValueSet/$expand', [{
        name: 'valueSet',
        resource: { resourceType: 'ValueSet', status: 'active', compose: { include: [{ system: 'http://snomed.info/sct' }] } },
      }]);
      assert.equal(res.status, 422);
      assert.match(res.body.issue[0].details.text, /snomed/);
      const lenient = await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('eqa-statuses'), colour: 'red' });
      assert.equal(lenient.status, 200);
      const strict = await server.http.get('/ValueSet/$expand').query({ url: valueSetUrl('eqa-statuses'), colour: 'red' }).set('Prefer', 'handling=strict');
      expectIssue(strict, 400, 'invalid', 'colour');
    });
  });
});

describe('ValueSet/$expand after terminology writes', () => {
  let server: TestServer;
  const statuses = networkResource<CodeSystem>('CodeSystem', 'eqa-status');
  const url = valueSetUrl('eqa-statuses');
  const expand = async (): Promise<string[]> => codes((await server.http.get('/ValueSet/$expand').query({ url })).body).sort();

  beforeEach(async () => {
    server = createTestServer();
    await loadTerminology(server, [statuses, networkResource<ValueSet>('ValueSet', 'eqa-statuses')]);
  });
  afterEach(() => server.close());

  it('a CodeSystem updated by PUT changes the next expansion', async () => {
    assert.deepEqual(await expand(), ['expired', 'failed', 'not-assessed', 'passed']);
    const changed: CodeSystem = { ...statuses, concept: [...(statuses.concept ?? []), { code: 'suspended', display: 'Suspended' }] };
    assert.equal((await server.http.put('/CodeSystem/eqa-status').set('Content-Type', fhirJson).send(changed)).status, 200);
    assert.deepEqual(await expand(), ['expired', 'failed', 'not-assessed', 'passed', 'suspended']);
  });

  it('a CodeSystem changed inside a transaction Bundle changes the next expansion', async () => {
    assert.equal((await expand()).length, 4);
    const changed: CodeSystem = { ...statuses, concept: (statuses.concept ?? []).slice(0, 2) };
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [{ resource: changed, request: { method: 'PUT', url: 'CodeSystem/eqa-status' } }],
    };
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(bundle)).status, 200);
    assert.equal((await expand()).length, 2);
  });

  it('a deleted ValueSet is no longer known, and one created by POST is', async () => {
    assert.equal((await server.http.delete('/ValueSet/eqa-statuses')).status, 204);
    assert.equal((await server.http.get('/ValueSet/$expand').query({ url })).status, 404);
    const { id: _id, ...recreated } = networkResource<ValueSet>('ValueSet', 'eqa-statuses');
    assert.equal((await server.http.post('/ValueSet').set('Content-Type', fhirJson).send(recreated)).status, 201);
    assert.equal((await expand()).length, 4);
  });
});
