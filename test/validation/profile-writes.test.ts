// Profile validation of writes through the REST API: every example of profiles/examples against a server
// that holds the network's terminology and profiles. A valid example is stored; an invalid one is refused
// with 422 and an issue that names the rule it breaks (its invariant key or element path), including the
// rules @medplum/core's validator does not check (bindings, choice types, reference targets); nothing of
// a refused write is stored.
import type { OperationOutcome, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import { networkServer } from '../helpers/network-server';
import { createReferencedTargets } from '../helpers/reference-targets';
import { fhirJson, type TestServer } from '../helpers/test-server';
import { generatedDir, issueNamesRule, parseInvalidName, readExample, readExamples, readJsonFile } from '../profiles/profile-validation';

const profileUrl = (id: string): string => `https://fhir.dhc.example/StructureDefinition/${id}`;

const examples = readExamples;

const issuesOf = (body: unknown): string[] =>
  ((body as OperationOutcome).issue ?? []).map((i) => `${i.severity} ${i.details?.text} @ ${i.expression?.join(', ')}`);

describe('profile validation of writes', function () {
  this.timeout(60_000);
  let server: TestServer;

  before(async () => {
    // Each example is stored among stub targets of its references: the workflows' rules, which judge a
    // home visit in the world of its order (assessment, a nurse serving the home, the check-in), are
    // tested in test/workflows.
    server = await networkServer({ workflows: false });
  });
  after(() => server.close());

  for (const { file, resource } of examples('valid')) {
    it(`stores valid/${file}`, async () => {
      await createReferencedTargets(server.http, resource);
      const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
      assert.ok(res.status === 201 || res.status === 200, `${res.status}: ${issuesOf(res.body).join('\n')}`);
    });
  }

  for (const { file, resource } of examples('invalid')) {
    const { rule } = parseInvalidName(file);
    it(`refuses invalid/${file} with 422 naming ${rule}, and stores nothing`, async () => {
      const id = `invalid-${resource.id}`;
      const res = await server.http.put(`/${resource.resourceType}/${id}`).set('Content-Type', fhirJson).send({ ...resource, id });
      assert.equal(res.status, 422, issuesOf(res.body).join('\n'));
      const errors = (res.body as OperationOutcome).issue.filter((i) => i.severity === 'error');
      assert.ok(
        errors.some((i) => issueNamesRule(i, rule)),
        `an error names ${rule}; got:\n${issuesOf(res.body).join('\n')}`
      );
      assert.equal((await server.http.get(`/${resource.resourceType}/${id}`)).status, 404);
    });
  }

  it('refuses a resource claiming a profile the server does not know, naming the profile', async () => {
    const unknown = 'https://fhir.dhc.example/StructureDefinition/no-such-profile';
    const res = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .send({ resourceType: 'Patient', meta: { profile: [unknown] } });
    assert.equal(res.status, 422);
    assert.match(issuesOf(res.body).join('\n'), /no-such-profile is not known to this server/);
  });

  it('refuses a profile of another resource type', async () => {
    const res = await server.http
      .post('/Patient')
      .set('Content-Type', fhirJson)
      .send({ resourceType: 'Patient', meta: { profile: [profileUrl('dhc-blood-pressure')] } });
    assert.equal(res.status, 422);
    assert.match(issuesOf(res.body).join('\n'), /constrains Observation, not Patient/);
  });

  it('refuses a PATCH whose result breaks the claimed profile, and keeps the stored version', async () => {
    const valid = readExample('valid', 'dhc-blood-pressure--clinic.json');
    await server.http.put(`/Observation/patched-bp`).set('Content-Type', fhirJson).send({ ...valid, id: 'patched-bp' });
    const res = await server.http
      .patch('/Observation/patched-bp')
      .set('Content-Type', 'application/json-patch+json')
      .send([{ op: 'remove', path: '/component/1' }]);
    assert.equal(res.status, 422, issuesOf(res.body).join('\n'));
    assert.ok((res.body as OperationOutcome).issue.some((i) => issueNamesRule(i, 'Observation.component:diastolic')));
    const stored = await server.http.get('/Observation/patched-bp');
    assert.equal(stored.body.meta.versionId, '1');
    assert.equal(stored.body.component.length, 2);
  });

  it('fails a whole transaction when one entry breaks its profile, naming the entry', async () => {
    const valid = readExample('valid', 'dhc-patient--zhangwei.json');
    const invalid = readExample('invalid', 'dhc-chronic-condition--Condition.code.json');
    const res = await server.http
      .post('/')
      .set('Content-Type', fhirJson)
      .send({
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:7d1c0b36-0000-4000-8000-000000000001', resource: { ...valid, id: undefined }, request: { method: 'POST', url: 'Patient' } },
          { resource: { ...invalid, id: 'tx-condition' }, request: { method: 'PUT', url: 'Condition/tx-condition' } },
        ],
      });
    assert.equal(res.status, 422, issuesOf(res.body).join('\n'));
    assert.match(issuesOf(res.body)[0], /Bundle\.entry\[1\]/);
    assert.ok((res.body as OperationOutcome).issue.some((i) => issueNamesRule(i, 'Condition.code')));
    assert.equal((await server.http.get('/Condition/tx-condition')).status, 404);
  });

  it('follows a StructureDefinition written through the API: a new profile applies at once, and so does a change to it', async () => {
    const base = readJsonFile<StructureDefinition>(path.join(generatedDir, 'StructureDefinition-dhc-patient.json'));
    const url = 'https://fhir.dhc.example/StructureDefinition/test-strict-patient';
    const strict = structuredClone(base);
    Object.assign(strict, { id: 'test-strict-patient', url, name: 'TestStrictPatient' });
    await server.http.put('/StructureDefinition/test-strict-patient').set('Content-Type', fhirJson).send(strict).expect(201);
    const patient = { ...readExample('valid', 'dhc-patient--zhangwei.json'), id: 'strict-1', meta: { profile: [url] } } as Resource & { photo?: unknown };
    assert.equal((await server.http.put('/Patient/strict-1').set('Content-Type', fhirJson).send(patient)).status, 201);

    // Forbid Patient.photo, then write a patient with a photo.
    const photo = strict.snapshot!.element.find((e) => e.id === 'Patient.photo')!;
    photo.max = '0';
    await server.http.put('/StructureDefinition/test-strict-patient').set('Content-Type', fhirJson).send(strict).expect(200);
    const withPhoto = { ...patient, id: 'strict-2', photo: [{ contentType: 'image/png', url: 'https://example.org/p.png' }] };
    const res = await server.http.put('/Patient/strict-2').set('Content-Type', fhirJson).send(withPhoto);
    assert.equal(res.status, 422, issuesOf(res.body).join('\n'));
    assert.match(issuesOf(res.body).join('\n'), /Patient\.photo: 0\.\.0 values allowed, found 1/);
  });

  it('warns but stores a code outside an extensible binding', async () => {
    // Observation.interpretation is bound extensibly in base R4; a profiled Observation carries it.
    const valid = readExample('valid', 'dhc-body-weight--clinic.json');
    const observation = { ...valid, id: 'extensible-1', interpretation: [{ coding: [{ system: 'https://example.org/local', code: 'odd' }] }] };
    const validated = await server.http.post('/Observation/$validate').set('Content-Type', fhirJson).send(observation);
    assert.match(issuesOf(validated.body).join('\n'), /^warning .*interpretation.*not in the value set \(extensible binding/m);
    const res = await server.http.put('/Observation/extensible-1').set('Content-Type', fhirJson).send(observation);
    assert.equal(res.status, 201, issuesOf(res.body).join('\n'));
  });

  it('refuses a reference to a resource type the base element does not allow', async () => {
    const valid = readExample('valid', 'dhc-body-weight--clinic.json');
    const res = await server.http
      .put('/Observation/wrong-performer')
      .set('Content-Type', fhirJson)
      .send({ ...valid, id: 'wrong-performer', performer: [{ reference: 'Medication/m1' }] });
    assert.equal(res.status, 422);
    assert.match(issuesOf(res.body).join('\n'), /performer\[0\]: refers to a Medication, but only .*Practitioner.* may be referenced here/);
  });
});

describe('validation policy', function () {
  this.timeout(60_000);

  it('accepts an unknown profile with a warning when so configured', async () => {
    const server = await networkServer({ unknownProfile: 'warning' });
    try {
      const res = await server.http
        .post('/Patient')
        .set('Content-Type', fhirJson)
        .send({ resourceType: 'Patient', meta: { profile: ['https://example.org/StructureDefinition/unknown'] } });
      assert.equal(res.status, 201);
    } finally {
      await server.close();
    }
  });

  it('requires the configured profile of a resource type, and validates against it', async () => {
    const required = profileUrl('dhc-cloud-prescription');
    const server = await networkServer({ requiredProfiles: new Map([['MedicationRequest', [required]]]) });
    try {
      const plain = { resourceType: 'MedicationRequest', status: 'draft', intent: 'order', subject: { reference: 'Patient/p' }, medicationCodeableConcept: { text: 'metformin' } };
      const refused = await server.http.post('/MedicationRequest').set('Content-Type', fhirJson).send(plain);
      assert.equal(refused.status, 422);
      assert.match(issuesOf(refused.body).join('\n'), /requires every MedicationRequest to claim the profile .*dhc-cloud-prescription in meta\.profile/);
      const claimed = await server.http.post('/MedicationRequest').set('Content-Type', fhirJson).send({ ...plain, meta: { profile: [required] } });
      assert.equal(claimed.status, 422, 'claiming the profile is not enough: the resource is validated against it');
      const valid = readExample('valid', 'dhc-cloud-prescription--seven-days-home-delivery.json');
      await createReferencedTargets(server.http, valid);
      assert.equal((await server.http.post('/MedicationRequest').set('Content-Type', fhirJson).send(valid)).status, 201);
      assert.equal((await server.http.post('/Patient').set('Content-Type', fhirJson).send({ resourceType: 'Patient' })).status, 201, 'other types are free');
    } finally {
      await server.close();
    }
  });
});
