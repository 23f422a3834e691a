// GET and POST CodeSystem/$lookup over HTTP: display, designations, properties with parent and child.
import { strict as assert } from 'node:assert';
import { createTestServer, type TestServer } from '../../../helpers/test-server';
import { icd10, labB100, loadTerminology, parameterValue, parametersNamed, postParameters } from '../../../helpers/terminology';

describe('CodeSystem/$lookup', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it('GET: name, version, display, the Chinese designation and the children of E11', async () => {
    const res = await server.http.get('/CodeSystem/$lookup').query({ system: icd10, code: 'E11' });
    assert.equal(res.status, 200);
    assert.equal(res.body.resourceType, 'Parameters');
    assert.equal(parameterValue(res.body, 'name'), 'ICD-10 (WHO) fragment used by the DHC network');
    assert.equal(parameterValue(res.body, 'version'), '1.0.0');
    assert.equal(parameterValue(res.body, 'display'), 'Non-insulin-dependent diabetes mellitus');
    const [designation] = parametersNamed(res.body, 'designation');
    assert.equal(parameterValue(designation, 'language'), 'zh-CN');
    assert.equal(parameterValue(designation, 'value'), '非胰岛素依赖型糖尿病');
    const children = parametersNamed(res.body, 'property').filter((p) => parameterValue(p, 'code') === 'child');
    assert.equal(children.length, 10);
    assert.equal(parameterValue(children[0], 'value'), 'E11.0');
  });

  it('GET: the parent of a subcategory, only the properties asked for', async () => {
    const res = await server.http.get('/CodeSystem/$lookup?property=parent').query({ system: icd10, code: 'E11.9' });
    const properties = parametersNamed(res.body, 'property');
    assert.deepEqual(properties.map((p) => [parameterValue(p, 'code'), parameterValue(p, 'value'), parameterValue(p, 'description')]), [
      ['parent', 'E11', 'Non-insulin-dependent diabetes mellitus'],
    ]);
  });

  it('POST a Coding, with displayLanguage', async () => {
    const res = await postParameters(server, '/CodeSystem/$lookup', [
      { name: 'coding', valueCoding: { system: labB100, code: '100201' } },
      { name: 'displayLanguage', valueCode: 'en' },
    ]);
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'display'), 'Haemoglobin A1c (%)');
  });

  it('looks up base R4 codes too', async () => {
    const res = await server.http.get('/CodeSystem/$lookup').query({ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' });
    assert.equal(parameterValue(res.body, 'display'), 'Female');
  });

  it('an unknown system or code is 404 naming it; no system is 400', async () => {
    const noSystem = await server.http.get('/CodeSystem/$lookup').query({ system: 'http://example.org/none', code: 'x' });
    assert.equal(noSystem.status, 404);
    assert.deepEqual(noSystem.body.issue[0].expression, ['system']);
    const noCode = await server.http.get('/CodeSystem/$lookup').query({ system: icd10, code: 'E99' });
    assert.equal(noCode.status, 404);
    assert.deepEqual(noCode.body.issue[0].expression, ['code']);
    const missing = await server.http.get('/CodeSystem/$lookup').query({ code: 'E11' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.issue[0].expression, ['system']);
  });

  it('is not offered on an instance (R4 defines it at type level only)', async () => {
    const res = await server.http.get('/CodeSystem/icd-10-fragment/$lookup').query({ code: 'E11' });
    assert.equal(res.status, 404);
  });
});
