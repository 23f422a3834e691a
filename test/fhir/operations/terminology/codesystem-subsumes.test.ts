// GET and POST CodeSystem/$subsumes and CodeSystem/[id]/$subsumes over HTTP.
import { strict as assert } from 'node:assert';
import { createTestServer, type TestServer } from '../../../helpers/test-server';
import { icd10, loadTerminology, loinc, parameterValue, postParameters } from '../../../helpers/terminology';

describe('CodeSystem/$subsumes', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it('GET by system: E11 subsumes E11.9', async () => {
    const res = await server.http.get('/CodeSystem/$subsumes').query({ system: icd10, codeA: 'E11', codeB: 'E11.9' });
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { resourceType: 'Parameters', parameter: [{ name: 'outcome', valueCode: 'subsumes' }] });
  });

  it('GET on an instance: E11.9 is subsumed by E11, I10 and E11 are not subsumed', async () => {
    const by = await server.http.get('/CodeSystem/icd-10-fragment/$subsumes').query({ codeA: 'E11.9', codeB: 'E11' });
    assert.equal(parameterValue(by.body, 'outcome'), 'subsumed-by');
    const none = await server.http.get('/CodeSystem/icd-10-fragment/$subsumes').query({ codeA: 'I10', codeB: 'E11' });
    assert.equal(parameterValue(none.body, 'outcome'), 'not-subsumed');
  });

  it('POST two Codings of one system', async () => {
    const res = await postParameters(server, '/CodeSystem/$subsumes', [
      { name: 'codingA', valueCoding: { system: icd10, code: 'I15' } },
      { name: 'codingB', valueCoding: { system: icd10, code: 'I15' } },
    ]);
    assert.equal(parameterValue(res.body, 'outcome'), 'equivalent');
  });

  it('refuses Codings of two systems, a missing code and an unknown one, naming the parameter', async () => {
    const mixed = await postParameters(server, '/CodeSystem/$subsumes', [
      { name: 'codingA', valueCoding: { system: icd10, code: 'E11' } },
      { name: 'codingB', valueCoding: { system: loinc, code: '4548-4' } },
    ]);
    assert.equal(mixed.status, 400);
    assert.deepEqual(mixed.body.issue[0].expression, ['codingB']);
    const missing = await server.http.get('/CodeSystem/$subsumes').query({ system: icd10, codeA: 'E11' });
    assert.equal(missing.status, 400);
    assert.deepEqual(missing.body.issue[0].expression, ['codeB']);
    const unknown = await server.http.get('/CodeSystem/$subsumes').query({ system: icd10, codeA: 'E11', codeB: 'E99.9' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.issue[0].expression, ['codeB']);
    const noSystem = await server.http.get('/CodeSystem/$subsumes').query({ codeA: 'E11', codeB: 'E11.9' });
    assert.equal(noSystem.status, 400);
    assert.deepEqual(noSystem.body.issue[0].expression, ['system']);
  });
});
