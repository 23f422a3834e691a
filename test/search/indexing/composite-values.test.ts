import { strict as assert } from 'node:assert';
import type { Observation } from '@medplum/fhirtypes';
import { entriesOf, valuesOf } from './r4-registry';

const ucum = 'http://unitsofmeasure.org';
const loinc = 'http://loinc.org';
const mmHg = (value: number): object => ({
  type: 'quantity',
  value,
  low: value - 0.5,
  high: value + 0.5,
  system: ucum,
  code: 'mm[Hg]',
  unit: 'mmHg',
  canonicalCode: 'mm[Hg]',
  canonicalValue: value,
  canonicalLow: value - 0.5,
  canonicalHigh: value + 0.5,
});

describe('indexing: composite values', () => {
  const panel: Observation = {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: loinc, code: '85354-9', display: 'Blood pressure panel' }] },
    subject: { reference: 'Patient/pat-1' },
    effectiveDateTime: '2026-03-05T09:30:00+08:00',
    component: [
      { code: { coding: [{ system: loinc, code: '8480-6', display: 'Systolic' }] }, valueQuantity: { value: 148, unit: 'mmHg', system: ucum, code: 'mm[Hg]' } },
      { code: { coding: [{ system: loinc, code: '8462-4', display: 'Diastolic' }] }, valueQuantity: { value: 92, unit: 'mmHg', system: ucum, code: 'mm[Hg]' } },
    ],
  };

  it('pairs each blood-pressure component code with its own value only', () => {
    const entries = entriesOf(panel);
    const expected = [
      { parts: [{ type: 'token', system: loinc, code: '8480-6' }, mmHg(148)] },
      { parts: [{ type: 'token', system: loinc, code: '8462-4' }, mmHg(92)] },
    ];
    assert.deepEqual(valuesOf(entries, 'composites', 'component-code-value-quantity'), expected);
    // The union of code-value-quantity and component-code-value-quantity has no rows of its own (union-parameters.ts).
    assert.deepEqual(valuesOf(entries, 'composites', 'combo-code-value-quantity'), []);
    assert.deepEqual(valuesOf(entries, 'composites', 'code-value-quantity'), [], 'the panel itself has no value');
  });

  it('pairs every coding of the code with the value of a single observation', () => {
    const entries = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: loinc, code: '8480-6' }, { system: 'http://snomed.info/sct', code: '271649006' }], text: 'systolic' },
      valueQuantity: { value: 132, unit: 'mmHg', system: ucum, code: 'mm[Hg]' },
    });
    assert.deepEqual(valuesOf(entries, 'composites', 'code-value-quantity'), [
      { parts: [{ type: 'token', system: loinc, code: '8480-6' }, mmHg(132)] },
      { parts: [{ type: 'token', system: 'http://snomed.info/sct', code: '271649006' }, mmHg(132)] },
    ]);
  });

  it('pairs a code with a date or a concept value', () => {
    const dated = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: loinc, code: '21612-7' }] },
      valuePeriod: { start: '2026-03-01', end: '2026-03-02' },
    });
    assert.deepEqual(valuesOf(dated, 'composites', 'code-value-date'), [
      { parts: [{ type: 'token', system: loinc, code: '21612-7' }, { type: 'date', low: Date.parse('2026-03-01T00:00:00Z'), high: Date.parse('2026-03-03T00:00:00Z') }] },
    ]);
    const smoking = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { coding: [{ system: loinc, code: '72166-2' }] },
      valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '8517006', display: 'Ex-smoker' }], text: '已戒烟' },
    });
    assert.deepEqual(valuesOf(smoking, 'composites', 'code-value-concept'), [
      { parts: [{ type: 'token', system: loinc, code: '72166-2' }, { type: 'token', system: 'http://snomed.info/sct', code: '8517006' }] },
    ]);
  });
});
