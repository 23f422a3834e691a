import { strict as assert } from 'node:assert';
import type { Observation, Quantity } from '@medplum/fhirtypes';
import { highest, lowest } from '../../../server/search/indexing/number-values';
import { entriesOf, valuesOf } from './r4-registry';

const ucum = 'http://unitsofmeasure.org';

describe('indexing: quantity values', () => {
  const observation = (valueQuantity: Quantity, code = '8480-6'): Observation => ({
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code }] },
    valueQuantity,
  });
  const valueQuantity = (quantity: Quantity, code?: string): unknown =>
    valuesOf(entriesOf(observation(quantity, code)), 'quantities', 'value-quantity');

  it('indexes value, precision range, unit and the canonical form of mm[Hg]', () => {
    assert.deepEqual(valueQuantity({ value: 132, unit: 'mmHg', system: ucum, code: 'mm[Hg]' }), [
      {
        value: 132,
        low: 131.5,
        high: 132.5,
        system: ucum,
        code: 'mm[Hg]',
        unit: 'mmHg',
        canonicalCode: 'mm[Hg]',
        canonicalValue: 132,
        canonicalLow: 131.5,
        canonicalHigh: 132.5,
      },
    ]);
  });

  it('converts metres to centimetres and grams to kilograms', () => {
    assert.deepEqual(valueQuantity({ value: 1.75, unit: 'm', system: ucum, code: 'm' }, '8302-2'), [
      { value: 1.75, low: 1.745, high: 1.755, system: ucum, code: 'm', unit: 'm', canonicalCode: 'cm', canonicalValue: 175, canonicalLow: 174.5, canonicalHigh: 175.5 },
    ]);
    assert.deepEqual(valueQuantity({ value: 72500, system: ucum, code: 'g' }, '29463-7'), [
      { value: 72500, low: 72499.5, high: 72500.5, system: ucum, code: 'g', canonicalCode: 'kg', canonicalValue: 72.5, canonicalLow: 72.4995, canonicalHigh: 72.5005 },
    ]);
  });

  it('converts mg/dL to g/L but never to mmol/L, which depends on the analyte (glucose)', () => {
    const [glucose] = valueQuantity({ value: 126, unit: 'mg/dL', system: ucum, code: 'mg/dL' }, '1558-6') as { canonicalCode: string; canonicalValue: number }[];
    assert.equal(glucose.canonicalCode, 'g/L');
    assert.equal(glucose.canonicalValue, 1.26);
    const [molar] = valueQuantity({ value: 7, system: ucum, code: 'mmol/L' }, '1558-6') as { canonicalCode: string }[];
    assert.equal(molar.canonicalCode, 'mmol/L');
    const [micromolar] = valueQuantity({ value: 88, system: ucum, code: 'umol/L' }, '2160-0') as { canonicalCode: string; canonicalValue: number }[];
    assert.deepEqual([micromolar.canonicalCode, micromolar.canonicalValue], ['mmol/L', 0.088]);
  });

  it('has no canonical form for units outside the table or outside UCUM', () => {
    assert.deepEqual(valueQuantity({ value: 5, unit: 'tablets' }), [{ value: 5, low: 4.5, high: 5.5, unit: 'tablets' }]);
    assert.deepEqual(valueQuantity({ value: 60, system: 'http://example.org/units', code: 'mm[Hg]' }), [
      { value: 60, low: 59.5, high: 60.5, system: 'http://example.org/units', code: 'mm[Hg]' },
    ]);
  });

  it('opens the range on the side a comparator leaves open', () => {
    const [below] = valueQuantity({ value: 5, comparator: '<', system: ucum, code: '%' }) as { low: number; high: number }[];
    assert.deepEqual([below.low, below.high], [lowest, 5]);
    const [atLeast] = valueQuantity({ value: 60, comparator: '>=', system: ucum, code: '%' }) as { low: number; high: number }[];
    assert.deepEqual([atLeast.low, atLeast.high], [59.5, highest]);
    const [above] = valueQuantity({ value: 60, comparator: '>', system: ucum, code: '%' }) as { value: number; low: number; high: number }[];
    assert.deepEqual([above.value, above.low, above.high], [60, 60, highest]);
  });

  it('indexes a Condition onset Age as onset-age', () => {
    const entries = entriesOf({
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      onsetAge: { value: 45, unit: 'years', system: ucum, code: 'a' },
    });
    assert.deepEqual(valuesOf(entries, 'quantities', 'onset-age'), [{ value: 45, low: 44.5, high: 45.5, system: ucum, code: 'a', unit: 'years' }]);
  });

  it('indexes a Range as one quantity spanning low to high', () => {
    const entries = entriesOf({
      resourceType: 'Condition',
      subject: { reference: 'Patient/p1' },
      onsetRange: { low: { value: 40, system: ucum, code: 'a' }, high: { value: 50, system: ucum, code: 'a' } },
    });
    assert.deepEqual(valuesOf(entries, 'quantities', 'onset-age'), [{ low: 39.5, high: 50.5, system: ucum, code: 'a' }]);
  });
});
