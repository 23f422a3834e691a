// $validate and writes agree: with mode=create or mode=update, $validate answers exactly what the write
// would (the same issues with the same severities when the write is refused, no error when it is
// stored); without a mode it reports at least every error the write reports. Held together over every
// example of profiles/examples and a generated set: the seed's patients and variants of them that break
// one rule each. Unknown profiles follow the same setting in both, and say which setting applied.
import type { OperationOutcome, OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patientRecord } from '../../seed/patients/patient-record';
import { networkServer } from '../helpers/network-server';
import { createReferencedTargets } from '../helpers/reference-targets';
import { fhirJson, type TestServer } from '../helpers/test-server';
import { readExamples } from '../profiles/profile-validation';

const xhtml = 'http://www.w3.org/1999/xhtml';
const issuesOf = (body: unknown): OperationOutcomeIssue[] => (body as OperationOutcome).issue ?? [];
const errorsOf = (body: unknown): OperationOutcomeIssue[] => issuesOf(body).filter((i) => i.severity === 'error' || i.severity === 'fatal');

/** Each first resource of a type in two generated patients' records, and variants that each break one rule. */
function generatedSet(): { name: string; resource: Resource }[] {
  const records = [...patientRecord(0, 20261123), ...patientRecord(1, 20261123)];
  const set = records.map((resource) => ({ name: `generated ${resource.resourceType}/${resource.id}`, resource }));
  const firstOfType = [...new Map(records.map((r) => [r.resourceType, r])).values()];
  for (const r of firstOfType) {
    const variants: [string, Resource][] = [
      ['a script in its narrative', { ...r, text: { status: 'generated', div: `<div xmlns="${xhtml}"><script>alert(1)</script>x</div>` } } as Resource],
      ['an unknown extension', { ...r, extension: [...((r as { extension?: unknown[] }).extension ?? []), { url: 'https://example.org/unknown-extension', valueString: 'x' }] } as Resource],
      ['an unknown profile', { ...r, meta: { ...r.meta, profile: [...(r.meta?.profile ?? []), 'https://example.org/StructureDefinition/unknown'] } }],
      ['a malformed lastUpdated', { ...r, meta: { ...r.meta, lastUpdated: 'yesterday' } }],
      ['a contained resource ending before it starts', { ...r, contained: [{ resourceType: 'Encounter', id: 'e', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, period: { start: '2026-02-02', end: '2026-02-01' } }] } as Resource],
      ['an empty object', { ...r, meta: { ...r.meta, tag: [{}] } } as Resource],
    ];
    set.push(...variants.map(([what, resource]) => ({ name: `generated ${r.resourceType} with ${what}`, resource })));
  }
  return set;
}

describe('$validate agrees with writes', function () {
  this.timeout(600_000);
  let server: TestServer;
  const cases = [
    ...readExamples('valid').map((e) => ({ name: `valid/${e.file}`, resource: e.resource })),
    ...readExamples('invalid').map((e) => ({ name: `invalid/${e.file}`, resource: e.resource })),
    ...generatedSet(),
  ];

  before(async () => {
    server = await networkServer();
  });
  after(() => server.close());

  it('covers every example, refused and stored ones, and the generated set', () => {
    assert.ok(cases.filter((c) => c.name.startsWith('invalid/')).length >= 100);
    assert.ok(cases.filter((c) => c.name.startsWith('generated')).length >= 150);
  });

  it('mode=create answers what POST [type] answers; without a mode $validate finds every error of the write', async () => {
    const outcomes = { stored: 0, refused: 0 };
    for (const { name, resource } of cases) {
      const type = resource.resourceType;
      // What the example refers to exists, so that the write rules judge the example itself.
      await createReferencedTargets(server.http, resource);
      const asked = await server.http.post(`/${type}/$validate?mode=create`).set('Content-Type', fhirJson).send(resource);
      const plain = await server.http.post(`/${type}/$validate`).set('Content-Type', fhirJson).send(resource);
      const written = await server.http.post(`/${type}`).set('Content-Type', fhirJson).set('Prefer', 'return=minimal').send(resource);
      assert.equal(asked.status, 200, name);
      if (written.status === 201) {
        outcomes.stored++;
        assert.deepEqual(errorsOf(asked.body), [], `${name}: stored, but $validate?mode=create says ${JSON.stringify(asked.body)}`);
      } else {
        outcomes.refused++;
        assert.ok([400, 422].includes(written.status), `${name}: ${written.status}`);
        assert.deepEqual(issuesOf(asked.body), issuesOf(written.body), `${name}: the write answered ${written.status}`);
      }
      for (const error of errorsOf(written.body)) {
        assert.ok(issuesOf(plain.body).some((i) => JSON.stringify(i) === JSON.stringify(error)), `${name}: $validate without a mode misses ${JSON.stringify(error)}`);
      }
    }
    assert.ok(outcomes.stored >= 50 && outcomes.refused >= 100, JSON.stringify(outcomes));
  });

  it('mode=update answers what PUT [type]/[id] answers', async () => {
    for (const [i, { name, resource }] of cases.entries()) {
      const id = resource.id ?? `agree-${i}`;
      const body = { ...resource, id };
      const asked = await server.http.post(`/${resource.resourceType}/${id}/$validate?mode=update`).set('Content-Type', fhirJson).send(body);
      const written = await server.http.put(`/${resource.resourceType}/${id}`).set('Content-Type', fhirJson).set('Prefer', 'return=minimal').send(body);
      if (written.status === 200 || written.status === 201) {
        assert.deepEqual(errorsOf(asked.body), [], name);
      } else {
        assert.deepEqual(issuesOf(asked.body), issuesOf(written.body), `${name}: the write answered ${written.status}`);
      }
    }
  });
});

describe('unknown profiles in $validate and in writes', function () {
  this.timeout(60_000);
  const claim = { resourceType: 'Patient', meta: { profile: ['https://example.org/StructureDefinition/unknown'] } };

  for (const setting of ['error', 'warning'] as const) {
    it(`follow FHIR_UNKNOWN_PROFILE=${setting} in both, and name the setting`, async () => {
      const server = await networkServer({ unknownProfile: setting });
      try {
        const written = await server.http.post('/Patient').set('Content-Type', fhirJson).send(claim);
        assert.equal(written.status, setting === 'error' ? 422 : 201);
        for (const url of ['/Patient/$validate', '/Patient/$validate?mode=create']) {
          const asked = await server.http.post(url).set('Content-Type', fhirJson).send(claim);
          const issue = issuesOf(asked.body).find((i) => i.code === 'not-found');
          assert.equal(issue?.severity, setting, url);
          assert.match(issue?.details?.text ?? '', new RegExp(`\\(FHIR_UNKNOWN_PROFILE=${setting}\\)`));
        }
        const parameter = await server.http.post('/Patient/$validate?profile=https://example.org/StructureDefinition/other').set('Content-Type', fhirJson).send({ resourceType: 'Patient' });
        assert.equal(issuesOf(parameter.body).find((i) => i.code === 'not-found')?.severity, setting, 'the profile parameter follows the same setting');
      } finally {
        await server.close();
      }
    });
  }
});
