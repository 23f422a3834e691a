// GET and POST CodeSystem/$validate-code and CodeSystem/[id]/$validate-code over HTTP.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, type TestServer } from '../../../helpers/test-server';
import { formulary, loadTerminology, loinc, parameterValue, postParameters } from '../../../helpers/terminology';

describe('CodeSystem/$validate-code', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it('GET by url: a defined code is valid, with its display; another is result=false', async () => {
    const ok = await server.http.get('/CodeSystem/$validate-code').query({ url: loinc, code: '8480-6' });
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body.parameter, [
      { name: 'result', valueBoolean: true },
      { name: 'display', valueString: 'Systolic blood pressure' },
    ]);
    const missing = await server.http.get('/CodeSystem/$validate-code').query({ url: formulary, code: 'aspirin-tab-1g' });
    assert.equal(parameterValue(missing.body, 'result'), false);
    assert.match(parameterValue(missing.body, 'message') as string, /aspirin-tab-1g/);
  });

  it('GET by url: an unknown code system is result=false naming it', async () => {
    const res = await server.http.get('/CodeSystem/$validate-code').query({ url: 'http://example.org/unknown', code: 'x' });
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'result'), false);
    assert.match(parameterValue(res.body, 'message') as string, /Unknown code system 'http:\/\/example\.org\/unknown'/);
  });

  it('GET on an instance, with a display to check', async () => {
    const ok = await server.http.get('/CodeSystem/formulary/$validate-code').query({ code: 'metformin-tab-0.5g', display: '盐酸二甲双胍片 0.5 g' });
    assert.equal(parameterValue(ok.body, 'result'), true);
    const wrong = await server.http.get('/CodeSystem/formulary/$validate-code').query({ code: 'metformin-tab-0.5g', display: 'Aspirin' });
    assert.equal(parameterValue(wrong.body, 'result'), false);
    assert.equal(parameterValue(wrong.body, 'display'), 'Metformin hydrochloride tablets 0.5 g');
  });

  it('POST an inline code system with a Coding, and abstract=false refusing a grouping concept', async () => {
    const cs: CodeSystem = {
      resourceType: 'CodeSystem',
      url: 'https://example.org/inline',
      status: 'active',
      content: 'complete',
      concept: [{ code: 'a', display: 'A' }],
    };
    const inline = await postParameters(server, '/CodeSystem/$validate-code', [
      { name: 'codeSystem', resource: cs },
      { name: 'coding', valueCoding: { system: cs.url, code: 'a' } },
    ]);
    assert.equal(parameterValue(inline.body, 'result'), true);
    const grouping = await postParameters(server, '/CodeSystem/formulary/$validate-code', [
      { name: 'code', valueCode: 'antidiabetic' },
      { name: 'abstract', valueBoolean: false },
    ]);
    assert.equal(parameterValue(grouping.body, 'result'), false);
  });

  it('without a code system at type level: 400 naming url', async () => {
    const res = await server.http.get('/CodeSystem/$validate-code').query({ code: 'x' });
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['url']);
  });
});
