// The type a Reference names, which the profile walker checks against an element's target profiles.
import type { Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { referencedType } from '../../server/validation/referenced-type';

describe('referencedType', () => {
  const observation: Observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { text: 'glucose' },
    contained: [{ resourceType: 'Specimen', id: 'blood' }],
  };

  it('reads the type from relative, absolute, versioned and conditional references', () => {
    assert.equal(referencedType({ reference: 'Patient/pat-1' }, observation), 'Patient');
    assert.equal(referencedType({ reference: 'https://fhir.example.org/r4/Practitioner/p.1' }, observation), 'Practitioner');
    assert.equal(referencedType({ reference: 'Organization/org-1/_history/3' }, observation), 'Organization');
    assert.equal(referencedType({ reference: 'Patient?identifier=http://example.org|1' }, observation), 'Patient');
  });

  it('finds a contained resource by its #id, and nothing for an unknown one', () => {
    assert.equal(referencedType({ reference: '#blood' }, observation), 'Specimen');
    assert.equal(referencedType({ reference: '#missing', type: 'Specimen' }, observation), undefined);
  });

  it('falls back to the type element for urn: references, logical references and unreadable literals', () => {
    assert.equal(referencedType({ reference: 'urn:uuid:3f1c0a8e-0000-4000-8000-000000000001', type: 'Encounter' }, observation), 'Encounter');
    assert.equal(referencedType({ identifier: { value: 'x' }, type: 'Device' }, observation), 'Device');
    assert.equal(referencedType({ reference: 'not a reference' }, observation), undefined);
  });
});
