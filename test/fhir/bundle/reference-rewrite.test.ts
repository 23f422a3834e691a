// The reference walker (server/fhir/bundle/reference-rewrite.ts): every Reference.reference, with its
// element path (indexes in brackets), in extensions, contained resources and nested elements alike.
import { strict as assert } from 'node:assert';
import { collectReferences, rewriteReferences } from '../../../server/fhir/bundle/reference-rewrite';

describe('reference rewriting', () => {
  it('visits every reference with its element path and rewrites those the mapper answers', () => {
    const resource = {
      resourceType: 'Observation',
      subject: { reference: 'urn:uuid:1' },
      performer: [{ reference: 'Practitioner/a' }, { display: 'no reference' }, { reference: 'urn:uuid:2' }],
      extension: [{ url: 'x', valueReference: { reference: 'urn:uuid:1' } }],
      contained: [{ resourceType: 'Provenance', target: [{ reference: 'urn:uuid:2' }] }],
      note: [{ text: 'reference' }],
    };
    const seen: string[] = [];
    rewriteReferences(resource, (reference, path) => {
      seen.push(`${path}=${reference}`);
      return reference.startsWith('urn:uuid:') ? `Patient/${reference.slice(9)}` : undefined;
    }, 'Bundle.entry[4].resource');
    assert.deepEqual(seen, [
      'Bundle.entry[4].resource.subject.reference=urn:uuid:1',
      'Bundle.entry[4].resource.performer[0].reference=Practitioner/a',
      'Bundle.entry[4].resource.performer[2].reference=urn:uuid:2',
      'Bundle.entry[4].resource.extension[0].valueReference.reference=urn:uuid:1',
      'Bundle.entry[4].resource.contained[0].target[0].reference=urn:uuid:2',
    ]);
    assert.equal(resource.subject.reference, 'Patient/1');
    assert.equal(resource.performer[0].reference, 'Practitioner/a');
    assert.equal(resource.performer[2].reference, 'Patient/2');
    assert.equal(resource.contained[0].target[0].reference, 'Patient/2');
    assert.deepEqual([...collectReferences(resource)], ['Patient/1', 'Practitioner/a', 'Patient/2']);
  });
});
