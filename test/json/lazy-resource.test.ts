// A page's resources parsed on first use (server/json/lazy-resource.ts): a lazy resource must behave as
// the resource parsed from its text for every consumer, and the facts answered without a parse (its type
// and id, and the Patient references the audit asks for: referencedPatients, server/auth/enforcement.ts)
// must be the parsed resource's.
import type { Bundle, Observation, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import { strict as assert } from 'node:assert';
import { referencedPatients } from '../../server/auth/enforcement';
import { applySubset, parseSubsetRequest } from '../../server/fhir/subsetting';
import { unparsedTextOf } from '../../server/json/lazy-resource';
import { cloneKeepingNumbers, holdsKeptNumbers, parseJsonKeepingNumbers, stringifyKeepingNumbers } from '../../server/json/number-text';
import { lazyStoredResource, parseStoredResource, serializeWithStoredTexts, storedTextOf } from '../../server/json/stored-text';

const json = JSON as unknown as { rawJSON(text: string): unknown };

/** Strings a reference may hold: Patient references good and bad, and text that looks like JSON members. */
const referenceLike = fc.oneof(
  fc.stringMatching(/^Patient\/[A-Za-z0-9\-.]{1,66}$/),
  fc.constantFrom(
    'Patient/p1', 'Patient/p2', 'Patient/', 'patient/p1', 'Patient/p 1', 'Patient/é', 'Patient/p1/_history/2', 'http://x.org/fhir/Patient/p1',
    'Group/g1', '#c1', 'Patient/p1"', '","reference":"Patient/injected', '{"reference":"Patient/injected"}', 'x,"reference":"Patient/injected"',
    '\\","reference":"Patient/injected', '"contained":'
  ),
  fc.string()
);

/** Keys that matter to the walk, and others; numbers as JavaScript prints them and as FHIR decimals may be written. */
const key = fc.constantFrom('reference', 'subject', 'patient', 'extension', 'contained', 'valueReference', 'url', 'text', '0', '12', 'a"b', 'reference ', 'x"reference');
const number = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom('1.50', '72.0', '1e3', '-0', '0.00000010', '12345678901234567890').map((t) => json.rawJSON(t)));

const { value: element } = fc.letrec<{ value: unknown; object: Record<string, unknown> }>((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, referenceLike, number, fc.boolean(), fc.constant(null), tie('object'), fc.array(tie('value'), { maxLength: 3 })),
  object: fc.oneof(
    fc.record({ reference: referenceLike }),
    fc.dictionary(key, tie('value'), { maxKeys: 4 }),
    fc.record({ reference: referenceLike, extension: fc.array(fc.record({ url: fc.constant('http://x.org/e'), valueReference: fc.record({ reference: referenceLike }) }), { maxLength: 2 }) })
  ),
}));

/** A resource's stored text, as the store writes it (compact JSON, decimals as written). */
const storedText = fc
  .record({
    resourceType: fc.constantFrom('Observation', 'Encounter', 'Patient'),
    id: fc.stringMatching(/^[A-Za-z0-9\-.]{1,64}$/),
    members: fc.dictionary(key, element, { maxKeys: 6 }),
    contained: fc.option(fc.array(fc.record({ resourceType: fc.constant('Patient'), id: fc.constant('c1'), link: fc.array(fc.record({ reference: referenceLike })) }), { minLength: 1, maxLength: 2 })),
  })
  .map(({ resourceType, id, members, contained }) => ({
    resourceType,
    id,
    text: JSON.stringify({ resourceType, id, ...(contained ? { contained } : {}), ...members }),
  }));

describe('lazy resources', () => {
  it('gives the Patient references of the parsed resource, from the text while it is unparsed', () => {
    fc.assert(
      fc.property(storedText, ({ resourceType, id, text }) => {
        const lazy = lazyStoredResource(text, resourceType, id);
        const expected = referencedPatients(JSON.parse(text) as Resource);
        assert.deepEqual(referencedPatients(lazy), expected);
        assert.deepEqual(referencedPatients(parseStoredResource(text)), expected);
        // Contained resources are skipped by walking the parsed resource; anything else is read from the text.
        const walked = text.includes('"contained":');
        assert.equal(unparsedTextOf(lazy), walked ? undefined : text);
      }),
      { numRuns: 2000 }
    );
  });

  it('is, once used, the resource its text parses to: members, order, decimals and its stored text', () => {
    fc.assert(
      fc.property(storedText, ({ resourceType, id, text }) => {
        const lazy = lazyStoredResource(text, resourceType, id);
        const parsed = parseStoredResource(text);
        assert.equal(lazy.resourceType, resourceType);
        assert.equal(lazy.id, id);
        assert.equal(unparsedTextOf(lazy), text, 'type and id are answered without a parse');
        assert.equal(stringifyKeepingNumbers(lazy), stringifyKeepingNumbers(parsed));
        assert.equal(stringifyKeepingNumbers(lazy), text);
        assert.equal(unparsedTextOf(lazy), undefined);
        assert.deepEqual(Object.keys(lazy), Object.keys(parsed));
        assert.deepEqual({ ...lazy }, { ...parsed });
        assert.equal(stringifyKeepingNumbers(cloneKeepingNumbers(lazy)), text);
        assert.equal(holdsKeptNumbers(lazy), holdsKeptNumbers(parsed));
        assert.equal(storedTextOf(lazy), text);
      }),
      { numRuns: 500 }
    );
  });

  it('parses on any other use: a key, the in operator, a write, a subset', () => {
    const text = '{"resourceType":"Observation","id":"o1","status":"final","code":{"text":"weight"},"valueQuantity":{"value":72.50,"unit":"kg"}}';
    const uses: ((o: Observation) => unknown)[] = [
      (o) => o.status,
      (o) => 'code' in o,
      (o) => Object.keys(o),
      (o) => Object.getOwnPropertyDescriptor(o, 'id'),
      (o) => (o.status = 'amended'),
      (o) => delete (o as { code?: unknown }).code,
      (o) => applySubset(o, parseSubsetRequest(new URLSearchParams('_elements=valueQuantity'), false)),
    ];
    for (const use of uses) {
      const lazy = lazyStoredResource(text, 'Observation', 'o1') as Observation;
      use(lazy);
      assert.equal(unparsedTextOf(lazy), undefined, String(use));
    }
    const lazy = lazyStoredResource(text, 'Observation', 'o1') as Observation;
    assert.equal(lazy.status, 'final');
    assert.ok('valueQuantity' in lazy && !('note' in lazy));
    const subset = applySubset(lazy, parseSubsetRequest(new URLSearchParams('_elements=valueQuantity'), false));
    assert.match(stringifyKeepingNumbers(subset), /"valueQuantity":\{"value":72\.50,"unit":"kg"\}/);
    lazy.status = 'amended';
    assert.equal(lazy.status, 'amended');
    assert.equal(JSON.parse(JSON.stringify(lazy)).status, 'amended');
  });

  it('writes a Bundle of stored and other resources byte for byte as serializing it does, leaving the stored ones unparsed', () => {
    const entry = fc.record(
      {
        fullUrl: fc.option(fc.webUrl(), { nil: undefined }),
        resource: fc.oneof(storedText.map((t) => ({ lazy: t })), storedText.map((t) => ({ parsed: t })), fc.record({ resourceType: fc.constant('OperationOutcome'), issue: fc.constant([]) })),
        search: fc.option(fc.record({ mode: fc.constantFrom('match', 'include', 'outcome'), score: fc.option(number, { nil: undefined }) }, { requiredKeys: ['mode'] }), { nil: undefined }),
      },
      { requiredKeys: ['resource'] }
    );
    const bundle = fc.record(
      { total: fc.option(fc.nat(), { nil: undefined }), link: fc.array(fc.record({ relation: fc.constant('self'), url: fc.string() }), { maxLength: 2 }), entry: fc.array(entry, { maxLength: 6 }), meta: fc.option(fc.dictionary(key, element), { nil: undefined }) },
      { requiredKeys: ['entry'] }
    );
    fc.assert(
      fc.property(bundle, (generated) => {
        const lazies: Resource[] = [];
        // The members around the entries as parsed JSON, marked as holding kept number texts where they do.
        const { entry: entries, ...members } = generated;
        const built = Object.assign(parseJsonKeepingNumbers(JSON.stringify({ resourceType: 'Bundle', type: 'searchset', ...members })) as object, {
          entry: entries.map(({ resource, ...rest }) => {
            if ('lazy' in resource) {
              const lazy = lazyStoredResource(resource.lazy.text, resource.lazy.resourceType, resource.lazy.id);
              lazies.push(lazy);
              return { ...rest, resource: lazy };
            }
            return { ...rest, resource: 'parsed' in resource ? parseStoredResource(resource.parsed.text) : (resource as unknown as Resource) };
          }),
        });
        const written = serializeWithStoredTexts(built as Bundle);
        assert.ok(lazies.every((lazy) => unparsedTextOf(lazy) !== undefined));
        const stored = built.entry.some((e) => storedTextOf(e.resource as Resource) !== undefined);
        assert.equal(written?.join(''), stored ? stringifyKeepingNumbers(built) : undefined);
      }),
      { numRuns: 500 }
    );
  });

  it('is written into a Bundle as its text, unparsed', () => {
    const text = '{"resourceType":"Observation","id":"o1","status":"final","valueQuantity":{"value":1.50}}';
    const lazy = lazyStoredResource(text, 'Observation', 'o1');
    const written = serializeWithStoredTexts({ resourceType: 'Bundle', type: 'searchset', entry: [{ fullUrl: 'x/Observation/o1', resource: lazy }] });
    assert.deepEqual(written, ['{"resourceType":"Bundle","type":"searchset","entry":', `[{"fullUrl":"x/Observation/o1","resource":${text}}`, ']}']);
    assert.equal(unparsedTextOf(lazy), text);
  });
});
