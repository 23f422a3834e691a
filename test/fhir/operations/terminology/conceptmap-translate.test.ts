// GET and POST ConceptMap/$translate and ConceptMap/[id]/$translate over HTTP: a clinic's local lab code
// to LOINC and back with reverse=true.
import type { ParametersParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { createTestServer, type TestServer } from '../../../helpers/test-server';
import {
  base,
  labB100,
  labC220,
  loadTerminology,
  loinc,
  parameterValue,
  parametersNamed,
  postParameters,
} from '../../../helpers/terminology';

const matches = (body: { parameter?: ParametersParameter[] }): [unknown, unknown, unknown][] =>
  parametersNamed(body, 'match').map((m) => {
    const concept = parameterValue(m, 'concept') as { system?: string; code?: string } | undefined;
    return [parameterValue(m, 'equivalence'), concept?.system, concept?.code];
  });

describe('ConceptMap/$translate', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it("GET: a clinic's fasting glucose code KFXT is LOINC 14771-0", async () => {
    const res = await server.http.get('/ConceptMap/$translate').query({ system: labC220, code: 'KFXT' });
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'result'), true);
    assert.deepEqual(matches(res.body), [['equivalent', loinc, '14771-0']]);
    assert.equal(parameterValue(parametersNamed(res.body, 'match')[0], 'source'), `${base}/ConceptMap/local-lab-clinic-c220-0003-to-loinc`);
  });

  it('GET with reverse=true: LOINC 14771-0 back to each clinic code, narrowed by targetsystem', async () => {
    const all = await server.http.get('/ConceptMap/$translate').query({ system: loinc, code: '14771-0', reverse: true });
    assert.equal(parameterValue(all.body, 'result'), true);
    assert.equal(matches(all.body).length, 3);
    const one = await server.http.get('/ConceptMap/$translate').query({
      system: loinc,
      code: '14771-0',
      reverse: true,
      targetsystem: labB100,
    });
    assert.deepEqual(matches(one.body), [['equivalent', labB100, '100101']]);
    const wider = await server.http.get('/ConceptMap/$translate').query({
      system: loinc,
      code: '14682-9',
      reverse: true,
      targetsystem: labB100,
    });
    assert.deepEqual(matches(wider.body), [['narrower', labB100, '100401']]);
  });

  it('GET on an instance uses that map only', async () => {
    const own = await server.http.get('/ConceptMap/local-lab-clinic-b100-0001-to-loinc/$translate').query({ system: labB100, code: '100201' });
    assert.deepEqual(matches(own.body), [['equivalent', loinc, '4548-4']]);
    const other = await server.http.get('/ConceptMap/local-lab-clinic-b100-0001-to-loinc/$translate').query({ system: labC220, code: 'KFXT' });
    assert.equal(parameterValue(other.body, 'result'), false);
  });

  it('POST a CodeableConcept; an unmatched code is result=false with the reason', async () => {
    const res = await postParameters(server, '/ConceptMap/$translate', [{
      name: 'codeableConcept',
      valueCodeableConcept: { coding: [{ system: labB100, code: '109901' }] },
    }]);
    assert.equal(res.status, 200);
    assert.equal(parameterValue(res.body, 'result'), false);
    assert.deepEqual(matches(res.body), [['unmatched', undefined, undefined]]);
    assert.match(parameterValue(res.body, 'message') as string, /blood-group/);
  });

  it('an unknown map url is 404; a code without a system is 400', async () => {
    const unknown = await server.http.get('/ConceptMap/$translate').query({
      url: `${base}/ConceptMap/none`,
      system: labC220,
      code: 'KFXT',
    });
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body.issue[0].expression, ['url']);
    const noSystem = await server.http.get('/ConceptMap/$translate').query({ code: 'KFXT' });
    assert.equal(noSystem.status, 400);
    assert.deepEqual(noSystem.body.issue[0].expression, ['system']);
  });
});
