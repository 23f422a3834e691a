// GET and POST ValueSet/$validate-code and ValueSet/[id]/$validate-code over HTTP: codes in and out of a
// ValueSet, displays, unknown systems, Codings and CodeableConcepts, and parameter errors.
import type { Parameters } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, type TestServer } from '../../../helpers/test-server';
import { clinical, icd10, loadTerminology, parameterValue, valueSetUrl, postParameters } from '../../../helpers/terminology';

describe('ValueSet/$validate-code', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());
  const url = valueSetUrl('hypertension-diagnoses');

  it('GET: a code of the ValueSet is valid, with its display', async () => {
    const res = await server.http.get('/ValueSet/$validate-code').query({ url, system: icd10, code: 'I10' });
    assert.equal(res.status, 200);
    assert.equal(res.body.resourceType, 'Parameters');
    assert.deepEqual(res.body.parameter, [
      { name: 'result', valueBoolean: true },
      { name: 'display', valueString: 'Essential (primary) hypertension' },
    ]);
  });

  it('GET: a code not in the ValueSet is result=false with a message', async () => {
    const res = await server.http.get('/ValueSet/$validate-code').query({ url, system: icd10, code: 'E11.9' });
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'result'), false);
    assert.match(parameterValue(res.body, 'message') as string, /not in the value set/);
  });

  it('GET: an unknown system is result=false with a message naming it', async () => {
    const res = await server.http.get('/ValueSet/$validate-code').query({ url, system: 'http://example.org/his-codes', code: 'GXY' });
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'result'), false);
    assert.match(parameterValue(res.body, 'message') as string, /Unknown code system 'http:\/\/example\.org\/his-codes'/);
  });

  it('GET on an instance: a Chinese display is valid; a wrong one is result=false with the right display', async () => {
    const ok = await server.http.get('/ValueSet/hypertension-diagnoses/$validate-code').query({ system: clinical, code: 'I10.x00', display: '原发性高血压' });
    assert.equal(parameterValue(ok.body, 'result'), true);
    const wrong = await server.http.get('/ValueSet/hypertension-diagnoses/$validate-code').query({ system: clinical, code: 'I10.x00', display: '糖尿病' });
    assert.equal(parameterValue(wrong.body, 'result'), false);
    assert.equal(parameterValue(wrong.body, 'display'), 'Essential hypertension');
    const zh = await server.http.get('/ValueSet/hypertension-diagnoses/$validate-code').query({
      system: clinical,
      code: 'I10.x00',
      displayLanguage: 'zh-CN',
    });
    assert.equal(parameterValue(zh.body, 'display'), '原发性高血压');
  });

  it('POST a Coding, and a CodeableConcept of which one coding is in the ValueSet', async () => {
    const post = (parameter: Parameters['parameter']) =>
      postParameters(server, '/ValueSet/$validate-code', parameter ?? []);
    const coding = await post([{ name: 'url', valueUri: url }, { name: 'coding', valueCoding: { system: icd10, code: 'I15.9' } }]);
    assert.equal(parameterValue(coding.body, 'result'), true);
    const concept = await post([
      { name: 'url', valueUri: valueSetUrl('type-2-diabetes-diagnoses') },
      { name: 'codeableConcept', valueCodeableConcept: { coding: [
        { system: 'http://example.org/his-codes', code: 'TNB' },
        { system: icd10, code: 'E11.9' },
      ], text: '2型糖尿病' } },
    ]);
    assert.equal(parameterValue(concept.body, 'result'), true);
    const instance = await postParameters(server, '/ValueSet/type-2-diabetes-diagnoses/$validate-code', [{
      name: 'coding',
      valueCoding: { system: icd10, code: 'I10' },
    }]);
    assert.equal(parameterValue(instance.body, 'result'), false);
  });

  it('a code without a system, or no code at all, is 400 naming the parameter', async () => {
    const noSystem = await server.http.get('/ValueSet/$validate-code').query({ url, code: 'I10' });
    assert.equal(noSystem.status, 400);
    assert.deepEqual(noSystem.body.issue[0].expression, ['system']);
    const nothing = await server.http.get('/ValueSet/$validate-code').query({ url });
    assert.equal(nothing.status, 400);
    assert.deepEqual(nothing.body.issue[0].expression, ['code']);
    const both = await server.http.get('/ValueSet/$validate-code').query({ url, system: icd10, code: 'I10', coding: `${icd10}|I10` });
    assert.equal(both.status, 400);
  });

  it('an unknown ValueSet is 404', async () => {
    const res = await server.http.get('/ValueSet/$validate-code').query({ url: valueSetUrl('nope'), system: icd10, code: 'I10' });
    assert.equal(res.status, 404);
    assert.equal(res.body.issue[0].code, 'not-found');
  });
});
