// Medication amounts converted between UCUM units: mass and volume with their prefixes, pieces one for
// one, and nothing else compared.
import { strict as assert } from 'node:assert';
import { convertUcum, quantityIn } from '../../../server/workflows/pharmacy/ucum-amounts';

const ucum = 'http://unitsofmeasure.org';

describe('cloud pharmacy: amounts in UCUM units', () => {
  it('converts mass and volume through their metric prefixes, and pieces one for one', () => {
    assert.equal(convertUcum(0.5, 'g', 'mg'), 500);
    assert.equal(convertUcum(1500, 'ug', 'mg'), 1.5);
    assert.equal(convertUcum(0.1, 'L', 'mL'), 100);
    assert.equal(convertUcum(250, 'ml', 'L'), 0.25);
    assert.equal(convertUcum(7, '{tablet}', '{tablet}'), 7);
    assert.equal(convertUcum(7, '1', '{tablet}'), 7);
    assert.equal(convertUcum(300, '[IU]', '[IU]'), 300);
  });

  it('converts nothing that UCUM does not: a mass to a count or a volume, an arbitrary unit to another', () => {
    assert.equal(convertUcum(35, 'mg', '{tablet}'), undefined);
    assert.equal(convertUcum(5, 'mL', 'mg'), undefined);
    assert.equal(convertUcum(300, '[IU]', 'mL'), undefined);
    assert.equal(convertUcum(3, 'U', '[IU]'), undefined);
  });

  it('reads a quantity in the unit of another: both UCUM, or the same code of the same system, never a bare number', () => {
    const approved = { value: 7, system: ucum, code: '{tablet}', unit: '片' };
    assert.equal(quantityIn({ value: 4, system: ucum, code: '{tablet}' }, approved), 4);
    assert.equal(quantityIn({ value: 4, unit: '片' }, approved), undefined, 'a unit in text only');
    assert.equal(quantityIn({ value: 4, code: '{tablet}' }, approved), undefined, 'a code without its system');
    assert.equal(quantityIn({ value: 35, system: ucum, code: 'mg' }, approved), undefined);
    const box = { value: 2, system: 'https://fhir.dhc.example/CodeSystem/package-unit', code: 'box' };
    assert.equal(quantityIn({ ...box, value: 1 }, box), 1);
    assert.equal(quantityIn({ value: 1, system: 'https://example.org/other', code: 'box' }, box), undefined);
    assert.equal(quantityIn({ system: ucum, code: 'mg' }, { value: 1, system: ucum, code: 'mg' }), undefined, 'no value');
  });
});
