// Extensions against their definitions (https://hl7.org/fhir/R4/extensibility.html,
// defining-extensions.html#context): an unknown url or a use outside the definition's context is a
// warning by default and an error under FHIR_UNKNOWN_EXTENSION=error; a value of a type the definition
// does not allow is an error.
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { networkServer } from '../helpers/network-server';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';
import { readExample } from '../profiles/profile-validation';

const hl7 = 'http://hl7.org/fhir/StructureDefinition';
const unknown = 'https://example.org/fhir/StructureDefinition/favourite-colour';
const issuesOf = (body: unknown): OperationOutcomeIssue[] => (body as OperationOutcome).issue ?? [];
const extensionIssues = (body: unknown): string[] => issuesOf(body).filter((i) => i.code === 'extension').map((i) => `${i.severity} ${i.details?.text}`);

describe('extensions against their definitions', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(() => {
    server = createTestServer();
  });
  after(() => server.close());
  const validate = (resource: Record<string, unknown>) => server.http.post(`/${String(resource.resourceType)}/$validate`).set('Content-Type', fhirJson).send(resource);

  it('warns about an extension no definition is known for, and still stores the resource', async () => {
    const patient = { resourceType: 'Patient', extension: [{ url: unknown, valueString: 'blue' }] };
    const res = await validate(patient);
    assert.deepEqual(extensionIssues(res.body), [`warning Patient.extension[0]: the extension ${unknown} is not known to this server (no StructureDefinition with that url), so it was not checked`]);
    assert.equal((await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient)).status, 201);
  });

  it('finds unknown extensions at any depth: a primitive, a data type, a backbone element, a contained resource', async () => {
    const res = await validate({
      resourceType: 'Observation', status: 'final', _status: { extension: [{ url: `${unknown}-1`, valueBoolean: true }] },
      code: { text: 'x', extension: [{ url: `${unknown}-2`, valueBoolean: true }] },
      component: [{ code: { text: 'c' }, extension: [{ url: `${unknown}-3`, valueBoolean: true }] }],
      contained: [{ resourceType: 'Patient', id: 'p', extension: [{ url: `${unknown}-4`, valueBoolean: true }] }],
      subject: { reference: '#p' },
    });
    const paths = issuesOf(res.body).filter((i) => i.code === 'extension').map((i) => i.expression?.[0]);
    assert.deepEqual(paths, ['Observation._status.extension[0]', 'Observation.code.extension[0]', 'Observation.component[0].extension[0]', 'Observation.contained[0].extension[0]']);
  });

  it('accepts known extensions in their contexts: a resource, a data type element, a primitive, a backbone element', async () => {
    const res = await validate({
      resourceType: 'Patient',
      extension: [{ url: `${hl7}/patient-birthPlace`, valueAddress: { city: '青禾市' } }],
      name: [{ family: '王', _family: { extension: [{ url: `${hl7}/humanname-own-name`, valueString: '王' }] } }],
      address: [{ line: ['1 Road'], _line: [{ extension: [{ url: `${hl7}/iso21090-ADXP-houseNumber`, valueString: '1' }] }] }],
      contact: [{ extension: [{ url: `${hl7}/patient-relatedPerson`, valueReference: { reference: 'RelatedPerson/r1' } }], name: { text: 'x' } }],
      _gender: { extension: [{ url: `${hl7}/data-absent-reason`, valueCode: 'unknown' }] },
    });
    assert.deepEqual(extensionIssues(res.body), []);
    assert.deepEqual(issuesOf(res.body).filter((i) => i.severity === 'error'), []);
  });

  it('warns about a known extension outside its context, naming where it is allowed', async () => {
    const res = await validate({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, extension: [{ url: `${hl7}/patient-birthPlace`, valueAddress: { city: 'x' } }] });
    assert.deepEqual(extensionIssues(res.body), [
      `warning Observation.extension[0]: the extension ${hl7}/patient-birthPlace is not allowed on Observation; its definition allows it on Patient`,
    ]);
  });

  it('refuses a value of a type the definition does not allow', async () => {
    const res = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .send({ resourceType: 'Patient', extension: [{ url: `${hl7}/patient-birthPlace`, valueString: '青禾市' }] });
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.issue[0].expression, ['Patient.extension[0].valueString']);
    assert.match(res.body.issue[0].details.text, /does not take a valueString; its definition allows valueAddress/);
  });

  it('does not look up the parts of a complex extension (relative urls)', async () => {
    const res = await validate({
      resourceType: 'Patient',
      extension: [{ url: `${hl7}/patient-nationality`, extension: [{ url: 'code', valueCodeableConcept: { text: 'CN' } }] }],
    });
    assert.deepEqual(extensionIssues(res.body), []);
  });

  it('leaves a wrong value type to the profile walk when the claimed profile names the extension (one issue about the type)', async () => {
    const network = await networkServer();
    try {
      const role = readExample('valid', 'dhc-practitioner-role--family-doctor.json') as unknown as { extension: Record<string, unknown>[] };
      role.extension[1] = { url: 'https://fhir.dhc.example/StructureDefinition/years-of-practice', valueString: 'seventeen' };
      const res = await network.http.post('/PractitionerRole/$validate').set('Content-Type', fhirJson).send(role);
      const about = issuesOf(res.body).filter((i) => i.severity === 'error' && /valueString/.test(i.details?.text ?? ''));
      assert.equal(about.length, 1, JSON.stringify(about));
      assert.match(about[0].details?.text ?? '', /type String is not allowed by the profile for value\[x\]; use integer/);
    } finally {
      await network.close();
    }
  });

  describe('under FHIR_UNKNOWN_EXTENSION=error', () => {
    let strict: TestServer;
    before(() => {
      strict = createTestServer({ unknownExtension: 'error' });
    });
    after(() => strict.close());

    it('refuses an unknown extension with 422 naming it', async () => {
      const res = await strict.http.post('/Patient').set('Content-Type', fhirJson).send({ resourceType: 'Patient', extension: [{ url: unknown, valueString: 'blue' }] });
      assert.equal(res.status, 422);
      assert.equal(res.body.issue[0].code, 'extension');
      assert.match(res.body.issue[0].details.text, /favourite-colour is not known to this server/);
    });

    it('refuses an extension outside its context, and accepts one inside it', async () => {
      const misplaced = await strict.http.post('/Observation').set('Content-Type', fhirJson)
        .send({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, extension: [{ url: `${hl7}/patient-birthPlace`, valueAddress: { city: 'x' } }] });
      assert.equal(misplaced.status, 422);
      const placed = await strict.http.post('/Patient').set('Content-Type', fhirJson)
        .send({ resourceType: 'Patient', extension: [{ url: `${hl7}/patient-birthPlace`, valueAddress: { city: 'x' } }] });
      assert.equal(placed.status, 201);
    });
  });
});
