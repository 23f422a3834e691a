// $validate (https://hl7.org/fhir/R4/resource-operation-validate.html): 200 with an OperationOutcome,
// valid or not; nothing is stored; base invariants and required bindings are checked even without a profile.
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { fhirJson, type TestServer } from '../helpers/test-server';
import { readExample } from '../profiles/profile-validation';
import { networkServer } from '../helpers/network-server';
import { createReferencedTargets } from '../helpers/reference-targets';

const example = readExample;
const texts = (body: unknown): string => ((body as OperationOutcome).issue ?? []).map((i) => `${i.severity} ${i.details?.text}`).join('\n');
const errors = (body: unknown) => ((body as OperationOutcome).issue ?? []).filter((i) => i.severity === 'error');

describe('$validate', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    server = await networkServer();
  });
  after(() => server.close());

  it('answers a valid resource with 200 and no errors, and stores nothing', async () => {
    const patient = example('valid', 'dhc-patient--zhangwei.json');
    await createReferencedTargets(server.http, patient);
    const res = await server.http.post('/Patient/$validate').set('Content-Type', fhirJson).send(patient);
    assert.equal(res.status, 200);
    assert.equal(res.body.resourceType, 'OperationOutcome');
    assert.deepEqual(errors(res.body), [], texts(res.body));
    assert.equal((await server.http.get(`/Patient/${patient.id}`)).status, 404);
  });

  it('answers an invalid resource with 200 and its errors', async () => {
    const res = await server.http
      .post('/Condition/$validate')
      .set('Content-Type', fhirJson)
      .send(example('invalid', 'dhc-chronic-condition--Condition.code.json'));
    assert.equal(res.status, 200);
    assert.match(texts(res.body), /^error Condition\.code: .*is not in the value set \(required binding to https:\/\/fhir\.dhc\.example\/ValueSet\/chronic-disease-diagnoses\)/m);
  });

  it('takes a Parameters body with resource and profile, and validates against that profile too', async () => {
    const weight = example('valid', 'dhc-body-weight--clinic.json') as Resource & { meta?: unknown };
    const { meta: _claims, ...unclaimed } = weight;
    await createReferencedTargets(server.http, weight);
    const plain = await server.http.post('/Observation/$validate').set('Content-Type', fhirJson).send(unclaimed);
    assert.deepEqual(errors(plain.body), [], texts(plain.body));
    const res = await server.http
      .post('/Observation/$validate')
      .set('Content-Type', fhirJson)
      .send({
        resourceType: 'Parameters',
        parameter: [
          { name: 'resource', resource: unclaimed },
          { name: 'profile', valueCanonical: 'https://fhir.dhc.example/StructureDefinition/dhc-blood-pressure' },
        ],
      });
    assert.equal(res.status, 200);
    assert.match(texts(res.body), /Observation\.component: required \(at least 2\), but missing/);
  });

  it('checks base invariants and base required bindings of a resource without a profile', async () => {
    const res = await server.http
      .post('/AllergyIntolerance/$validate')
      .set('Content-Type', fhirJson)
      .send({
        resourceType: 'AllergyIntolerance',
        patient: { reference: 'Patient/p' },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical', code: 'bogus' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/allergyintolerance-verification', code: 'entered-in-error' }] },
      });
    const shown = texts(res.body);
    assert.match(shown, /AllergyIntolerance\.clinicalStatus: .*bogus' is not in the value set \(required binding/);
    assert.match(shown, /invariant ait-2 not met/, 'clinicalStatus must be absent when entered-in-error');
  });

  it('checks ext-1: an extension has a value or nested extensions, not both and not neither', async () => {
    const both = { url: 'https://example.org/both', valueString: 'a', extension: [{ url: 'inner', valueString: 'b' }] };
    const neither = { url: 'https://example.org/neither' };
    const fine = { url: 'https://example.org/fine', valueBoolean: true };
    const res = await server.http
      .post('/Patient/$validate')
      .set('Content-Type', fhirJson)
      .send({ resourceType: 'Patient', extension: [both, neither, fine] });
    const ext1 = errors(res.body).filter((i) => /invariant ext-1 not met/.test(i.details?.text ?? ''));
    assert.deepEqual(ext1.map((i) => i.expression?.[0]), ['Patient.extension[0]', 'Patient.extension[1]'], texts(res.body));
  });

  it('reports base-schema problems in the same outcome, still with 200', async () => {
    const res = await server.http.post('/Patient/$validate').set('Content-Type', fhirJson).send({ resourceType: 'Patient', gender: 'bogus', birthDate: 'yesterday' });
    assert.equal(res.status, 200);
    assert.ok(errors(res.body).length >= 2, texts(res.body));
  });

  it('validates a stored resource by GET on the instance', async () => {
    const bp = example('valid', 'dhc-blood-pressure--clinic.json');
    await createReferencedTargets(server.http, bp);
    await server.http.put(`/Observation/${bp.id}`).set('Content-Type', fhirJson).send(bp).expect(201);
    const res = await server.http.get(`/Observation/${bp.id}/$validate`);
    assert.equal(res.status, 200);
    assert.deepEqual(errors(res.body), [], texts(res.body));
    assert.equal((await server.http.get('/Observation/not-stored/$validate')).status, 404);
  });

  it('mode=update checks the id against the URL; mode=delete says whether the resource can be deleted', async () => {
    const patient = { ...example('valid', 'dhc-patient--zhangwei.json'), id: 'other' };
    const update = await server.http.post('/Patient/some-id/$validate?mode=update').set('Content-Type', fhirJson).send(patient);
    assert.match(texts(update.body), /does not match the URL's id 'some-id'/);
    await server.http.put('/Patient/deletable').set('Content-Type', fhirJson).send({ resourceType: 'Patient', id: 'deletable' }).expect(201);
    const del = await server.http.post('/Patient/deletable/$validate?mode=delete');
    assert.equal(del.status, 200);
    assert.deepEqual(errors(del.body), []);
    const missing = await server.http.post('/Patient/never-was/$validate?mode=delete');
    assert.match(texts(missing.body), /not known/);
  });

  it('refuses what cannot be validated: no resource, an unknown mode', async () => {
    assert.equal((await server.http.post('/Patient/$validate').set('Content-Type', fhirJson).send({ resourceType: 'Parameters', parameter: [] })).status, 400);
    const res = await server.http.post('/Patient/$validate?mode=sideways').set('Content-Type', fhirJson).send({ resourceType: 'Patient' });
    assert.equal(res.status, 400);
    assert.match(texts(res.body), /mode must be one of create, update, delete/);
  });

  it('lists the stored profiles as supportedProfile of the types they constrain', async () => {
    const res = await server.http.get('/metadata');
    const resources = res.body.rest[0].resource as { type: string; supportedProfile?: string[] }[];
    const of = (type: string): string[] => resources.find((r) => r.type === type)?.supportedProfile ?? [];
    assert.ok(of('Observation').includes('https://fhir.dhc.example/StructureDefinition/dhc-blood-pressure'), of('Observation').join());
    assert.ok(of('Patient').includes('https://fhir.dhc.example/StructureDefinition/dhc-patient'));
    assert.deepEqual(of('Medication'), []);
    assert.ok(of('Observation').length >= 10, 'every Observation profile of the network');
  });

  it('is declared for every resource type in the CapabilityStatement', async () => {
    const res = await server.http.get('/metadata');
    const resources = res.body.rest[0].resource as { type: string; operation?: { name: string }[] }[];
    assert.ok(resources.length > 100);
    for (const r of resources) {
      assert.ok(r.operation?.some((o) => o.name === 'validate'), `${r.type} declares $validate`);
    }
  });
});
