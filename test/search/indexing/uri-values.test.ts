import { strict as assert } from 'node:assert';
import { entriesOf, valuesOf } from './r4-registry';

describe('indexing: uri values', () => {
  it('indexes ValueSet.url as url, exactly as written', () => {
    const entries = entriesOf({ resourceType: 'ValueSet', status: 'active', url: 'https://fhir.dhc.example/ValueSet/home-care-services', version: '1.0' });
    assert.deepEqual(valuesOf(entries, 'uris', 'url'), [{ value: 'https://fhir.dhc.example/ValueSet/home-care-services' }]);
  });

  it('indexes meta.profile and meta.source as _profile and _source on any type', () => {
    const entries = entriesOf({
      resourceType: 'Observation',
      meta: { profile: ['http://hl7.org/fhir/StructureDefinition/vitalsigns', 'https://fhir.dhc.example/StructureDefinition/bp|1.2'], source: 'https://his.hepan-chc.example/fhir#upload-17' },
      status: 'final',
      code: { text: 'bp' },
    });
    assert.deepEqual(valuesOf(entries, 'uris', '_profile'), [
      { value: 'http://hl7.org/fhir/StructureDefinition/vitalsigns' },
      { value: 'https://fhir.dhc.example/StructureDefinition/bp|1.2' },
    ]);
    assert.deepEqual(valuesOf(entries, 'uris', '_source'), [{ value: 'https://his.hepan-chc.example/fhir#upload-17' }]);
  });
});
