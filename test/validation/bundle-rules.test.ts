// The Bundle rules (https://hl7.org/fhir/R4/bundle.html): the invariants bdl-1 to bdl-12 and the rules
// written in prose (absolute fullUrls agreeing with the resource, one link per relation, searchset
// entries, references resolving inside documents and messages), each with a violating and a conforming
// Bundle; and a stored document Bundle refused through the API.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { validateBaseSchema } from '../../server/validation/base-schema';
import { baseValidator, errorTexts } from '../helpers/base-validator';
import { createTestServer, fhirJson } from '../helpers/test-server';

const base = 'http://example.org/fhir';
const patient: Resource = { resourceType: 'Patient', id: 'p1', name: [{ text: 'Zhang Wei' }] };
const composition = (more: Record<string, unknown> = {}): Resource =>
  ({ resourceType: 'Composition', id: 'c1', status: 'final', type: { text: 'summary' }, date: '2026-11-05', author: [{ reference: 'Patient/p1' }], title: 'Summary', subject: { reference: 'Patient/p1' }, ...more }) as Resource;
const header: Resource = { resourceType: 'MessageHeader', id: 'h1', eventCoding: { system: 'http://example.org/events', code: 'x' }, source: { endpoint: 'http://example.org/source' }, focus: [{ reference: 'Patient/p1' }] } as Resource;
const entry = (resource: Resource, more: Partial<BundleEntry> = {}): BundleEntry => ({ fullUrl: `${base}/${resource.resourceType}/${resource.id}`, resource, ...more });
const bundle = (type: Bundle['type'], more: Partial<Bundle> = {}): Bundle => ({ resourceType: 'Bundle', type, ...more });
const documentBundle = (more: Partial<Bundle> = {}): Bundle =>
  bundle('document', { identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:0c3151bd-1cbf-4d64-b04d-cd9187a4c6e0' }, timestamp: '2026-11-05T09:00:00+08:00', entry: [entry(composition()), entry(patient)], ...more });
const messageBundle = (more: Partial<Bundle> = {}): Bundle => bundle('message', { entry: [entry(header), entry(patient)], ...more });
const searchset = (entries: BundleEntry[]): Bundle => bundle('searchset', { link: [{ relation: 'self', url: `${base}/Patient?name=zhang` }], entry: entries });
const matches = searchset([entry(patient, { search: { mode: 'match' } })]);
const post = { method: 'POST', url: 'Patient' } as const;

const rows: { rule: string; violating: Bundle; conforming: Bundle; finds: RegExp }[] = [
  { rule: 'bdl-1', violating: bundle('collection', { total: 1 }), conforming: bundle('searchset', { total: 1 }), finds: /bdl-1/ },
  { rule: 'bdl-2', violating: bundle('collection', { entry: [entry(patient, { search: { mode: 'match' } })] }), conforming: searchset([entry(patient, { search: { mode: 'match' } })]), finds: /bdl-2/ },
  { rule: 'bdl-3', violating: bundle('transaction', { entry: [{ resource: patient }] }), conforming: bundle('transaction', { entry: [{ resource: patient, request: post }] }), finds: /bdl-3/ },
  { rule: 'bdl-4', violating: bundle('batch-response', { entry: [{ resource: patient }] }), conforming: bundle('batch-response', { entry: [{ response: { status: '201' } }] }), finds: /bdl-4/ },
  { rule: 'bdl-5', violating: bundle('collection', { entry: [{ fullUrl: `${base}/Patient/p1` }] }), conforming: bundle('collection', { entry: [entry(patient)] }), finds: /bdl-5/ },
  {
    rule: 'bdl-7',
    violating: bundle('collection', { entry: [entry(patient), entry(patient)] }),
    conforming: bundle('history', { entry: [entry(patient, { request: { method: 'PUT', url: 'Patient/p1' }, response: { status: '200' } }), entry(patient, { request: { method: 'PUT', url: 'Patient/p1' }, response: { status: '200' } })] }),
    finds: /bdl-7/,
  },
  { rule: 'bdl-8', violating: bundle('collection', { entry: [entry(patient, { fullUrl: `${base}/Patient/p1/_history/2` })] }), conforming: bundle('collection', { entry: [entry(patient)] }), finds: /bdl-8/ },
  { rule: 'bdl-9', violating: documentBundle({ identifier: undefined }), conforming: documentBundle(), finds: /bdl-9/ },
  { rule: 'bdl-10', violating: documentBundle({ timestamp: undefined }), conforming: documentBundle(), finds: /bdl-10/ },
  { rule: 'bdl-11', violating: documentBundle({ entry: [entry(patient), entry(composition())] }), conforming: documentBundle(), finds: /bdl-11/ },
  { rule: 'bdl-12', violating: messageBundle({ entry: [entry(patient), entry(header)] }), conforming: messageBundle(), finds: /bdl-12/ },
  {
    rule: 'fullUrl is absolute',
    violating: bundle('collection', { entry: [entry(patient, { fullUrl: 'Patient/p1' })] }),
    conforming: bundle('collection', { entry: [entry(patient, { fullUrl: 'urn:uuid:5b7f3a51-52b8-4a5e-9bde-6c6e2b4b1d11' })] }),
    finds: /fullUrl: 'Patient\/p1' is relative/,
  },
  {
    rule: 'fullUrl agrees with the resource id',
    violating: bundle('collection', { entry: [entry(patient, { fullUrl: `${base}/Patient/p2` })] }),
    conforming: bundle('collection', { entry: [entry(patient)] }),
    finds: /disagrees with the resource it holds, Patient\/p1/,
  },
  {
    rule: 'one link per relation',
    violating: { ...matches, link: [{ relation: 'self', url: `${base}/Patient` }, { relation: 'self', url: `${base}/Patient?x=1` }] },
    conforming: { ...matches, link: [{ relation: 'self', url: `${base}/Patient` }, { relation: 'next', url: `${base}/Patient?page=2` }] },
    finds: /relation 'self' appears more than once/,
  },
  {
    rule: 'searchset entries hold a resource',
    violating: searchset([{ fullUrl: `${base}/Patient/p1`, search: { mode: 'match' } }]),
    conforming: searchset([entry(patient, { search: { mode: 'match' } })]),
    finds: /an entry of a searchset holds a resource/,
  },
  {
    rule: "searchset 'match' entries are of the searched type",
    violating: searchset([entry(patient, { search: { mode: 'match' } }), entry(composition(), { search: { mode: 'match' } })]),
    conforming: searchset([entry(patient, { search: { mode: 'match' } }), entry(composition(), { search: { mode: 'include' } })]),
    finds: /a Composition has search\.mode 'match' in a search of Patient/,
  },
  {
    rule: 'document references resolve inside the Bundle',
    violating: documentBundle({ entry: [entry(composition({ author: [{ reference: 'Practitioner/dr1' }] })), entry(patient)] }),
    conforming: documentBundle({ entry: [entry(composition({ author: [{ reference: `${base}/Patient/p1` }] })), entry(patient)] }),
    finds: /author\[0\]\.reference: 'Practitioner\/dr1' is not in the Bundle; in a document/,
  },
  {
    rule: 'message references resolve inside the Bundle',
    violating: messageBundle({ entry: [entry(header)] }),
    conforming: messageBundle(),
    finds: /focus\[0\]\.reference: 'Patient\/p1' is not in the Bundle; in a message/,
  },
  {
    rule: 'urn:uuid references resolve by fullUrl',
    violating: documentBundle({ entry: [entry(composition({ subject: { reference: 'urn:uuid:9e2f4b0c-7a55-4f57-8f0c-2d6a1c0f7e31' } })), entry(patient)] }),
    conforming: documentBundle({ entry: [entry(composition({ subject: { reference: 'urn:uuid:9e2f4b0c-7a55-4f57-8f0c-2d6a1c0f7e31' } })), { ...entry(patient), fullUrl: 'urn:uuid:9e2f4b0c-7a55-4f57-8f0c-2d6a1c0f7e31' }] }),
    finds: /'urn:uuid:9e2f4b0c-7a55-4f57-8f0c-2d6a1c0f7e31' is not in the Bundle/,
  },
];

describe('Bundle rules', function () {
  this.timeout(60_000);
  const validator = baseValidator();

  for (const row of rows) {
    it(`${row.rule}: refuses the violating Bundle and accepts the conforming one`, async () => {
      const violating = errorTexts(await validator.validate(row.violating));
      assert.ok(violating.some((t) => row.finds.test(t)), violating.join('\n') || 'no errors');
      assert.deepEqual(validateBaseSchema(row.conforming), []);
      assert.deepEqual(errorTexts(await validator.validate(row.conforming)), []);
    });
  }

  it('warns about a searchset entry without its search mode', async () => {
    const issues = await validator.validate(searchset([entry(patient)]));
    assert.ok(issues.some((i) => i.severity === 'warning' && i.expression?.[0] === 'Bundle.entry[0].search.mode'));
  });

  it('refuses a stored document Bundle whose author is not in it, with 422 naming the reference', async () => {
    const server = createTestServer();
    try {
      const res = await server.http
        .post('/Bundle')
        .set('Content-Type', fhirJson)
        .send(documentBundle({ entry: [entry(composition({ author: [{ reference: 'Practitioner/dr1' }] })), entry(patient)] }));
      assert.equal(res.status, 422);
      assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[0].resource.author[0].reference']);
      assert.equal(res.body.issue[0].code, 'not-found');
      assert.equal((await server.http.post('/Bundle').set('Content-Type', fhirJson).send(documentBundle())).status, 201);
    } finally {
      await server.close();
    }
  });
});
