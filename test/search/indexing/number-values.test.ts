import { strict as assert } from 'node:assert';
import type { RiskAssessment } from '@medplum/fhirtypes';
import { highest, lowest, precisionRange } from '../../../server/search/indexing/number-values';
import { entriesOf, valuesOf } from './r4-registry';

describe('indexing: number values', () => {
  it('gives a number the range of its implicit precision', () => {
    assert.deepEqual(precisionRange(100), { low: 99.5, high: 100.5 });
    assert.deepEqual(precisionRange(1.5), { low: 1.45, high: 1.55 });
    assert.deepEqual(precisionRange(2.3), { low: 2.25, high: 2.35 }, 'no 2.2499999');
    assert.deepEqual(precisionRange(-0.02), { low: -0.025, high: -0.015 });
    assert.deepEqual(precisionRange(1e-7), { low: 5e-8, high: 1.5e-7 });
  });

  // R4 has six number parameters: RiskAssessment probability, ChargeItem factor-override and four
  // MolecularSequence coordinates (Encounter length is a quantity).
  const assessment = (prediction: RiskAssessment['prediction']): RiskAssessment => ({
    resourceType: 'RiskAssessment',
    status: 'final',
    subject: { reference: 'Patient/p1' },
    prediction,
  });

  it('indexes RiskAssessment probability as a decimal (the value and its precision range) and as a Range', () => {
    const entries = entriesOf(assessment([{ probabilityDecimal: 0.15 }, { probabilityRange: { low: { value: 10 }, high: { value: 20 } } }]));
    assert.deepEqual(valuesOf(entries, 'numbers', 'probability'), [
      { value: 0.15, low: 0.145, high: 0.155 },
      { low: 9.5, high: 20.5 },
    ]);
  });

  it('leaves a Range without one end open on that side', () => {
    const entries = entriesOf(assessment([{ probabilityRange: { low: { value: 0.2 } } }]));
    assert.deepEqual(valuesOf(entries, 'numbers', 'probability'), [{ low: 0.15, high: highest }]);
    const upTo = entriesOf(assessment([{ probabilityRange: { high: { value: 0.2 } } }]));
    assert.deepEqual(valuesOf(upTo, 'numbers', 'probability'), [{ low: lowest, high: 0.25 }]);
  });
});
