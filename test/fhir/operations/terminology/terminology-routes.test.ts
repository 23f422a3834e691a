// Every terminology route the server registers answers, and the CapabilityStatement lists each
// operation once on its resource type.
import type { CapabilityStatement } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { terminologyRoutes } from '../../../../server/fhir/operations/terminology/terminology-routes';
import { createTestServer, fhirJson, type TestServer } from '../../../helpers/test-server';
import { icd10, labC220, loadTerminology, valueSetUrl } from '../../../helpers/terminology';

/** Parameters each operation is called with, and the instance it is called on. */
const calls: Record<string, { id: string; query: Record<string, string> }> = {
  'ValueSet/$expand': { id: 'eqa-statuses', query: { url: valueSetUrl('eqa-statuses') } },
  'ValueSet/$validate-code': {
    id: 'hypertension-diagnoses',
    query: { url: valueSetUrl('hypertension-diagnoses'), system: icd10, code: 'I10' },
  },
  'CodeSystem/$lookup': { id: 'icd-10-fragment', query: { system: icd10, code: 'E11' } },
  'CodeSystem/$validate-code': { id: 'icd-10-fragment', query: { url: icd10, code: 'E11' } },
  'CodeSystem/$subsumes': { id: 'icd-10-fragment', query: { system: icd10, codeA: 'E11', codeB: 'E11.9' } },
  'ConceptMap/$translate': { id: 'local-lab-clinic-c220-0003-to-loinc', query: { system: labC220, code: 'KFXT' } },
};

describe('terminology routes', () => {
  let server: TestServer;
  before(async () => {
    server = createTestServer();
    await loadTerminology(server);
  });
  after(() => server.close());

  it('lists each terminology operation once in the CapabilityStatement, on its resource type', async () => {
    const statement: CapabilityStatement = (await server.http.get('/metadata')).body;
    const operationsOf = (type: string): string[] =>
      (statement.rest?.[0].resource?.find((r) => r.type === type)?.operation ?? [])
        // $validate and $verify-history are on every type (test/validation, test/audit)
        .filter((o) => o.name !== 'validate' && o.name !== 'verify-history')
        .map((o) => `${o.name} ${o.definition}`);
    const definition = (id: string): string => `http://hl7.org/fhir/OperationDefinition/${id}`;
    assert.deepEqual(operationsOf('ValueSet'), [
      `expand ${definition('ValueSet-expand')}`,
      `validate-code ${definition('ValueSet-validate-code')}`,
    ]);
    assert.deepEqual(operationsOf('CodeSystem'), [
      `lookup ${definition('CodeSystem-lookup')}`,
      `validate-code ${definition('CodeSystem-validate-code')}`,
      `subsumes ${definition('CodeSystem-subsumes')}`,
    ]);
    assert.deepEqual(operationsOf('ConceptMap'), [`translate ${definition('ConceptMap-translate')}`]);
    // A type with no terminology operation lists none of them (Observation has $recognize: test/workflows/recognition).
    assert.deepEqual(operationsOf('Organization'), []);
  });

  it('answers on every route it registers (GET and POST, type and instance)', async () => {
    assert.equal(terminologyRoutes.length, 22);
    for (const route of terminologyRoutes) {
      const type = route.pattern[0];
      const name = route.pattern[route.pattern.length - 1];
      const call = calls[`${type}/${name}`];
      assert.ok(call, `a call for ${route.pattern.join('/')}`);
      const path = '/' + route.pattern.map((p) => (p === ':id' ? call.id : p)).join('/');
      // At instance level the instance replaces the url (or system) parameter.
      const query = { ...call.query };
      if (route.pattern.includes(':id') && type !== 'ConceptMap') {
        delete query.url;
        if (type === 'CodeSystem') delete query.system;
      }
      const res =
        route.method === 'GET'
          ? await server.http.get(path).query(query)
          : await server.http
              .post(path)
              .set('Content-Type', fhirJson)
              .send({ resourceType: 'Parameters', parameter: Object.entries(query).map(([n, v]) => ({ name: n, valueString: v })) });
      assert.equal(res.status, 200, `${route.method} ${path}: ${JSON.stringify(res.body)}`);
    }
  });
});
