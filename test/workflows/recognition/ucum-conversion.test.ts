// UCUM concentration conversion for recognition (server/workflows/recognition/ucum-conversion.ts).
import { strict as assert } from 'node:assert';
import { convertConcentration } from '../../../server/workflows/recognition/ucum-conversion';

describe('convertConcentration', () => {
  it('turns a mass concentration into an amount concentration with the molar mass', () => {
    // Glucose 180.16 g/mol: 126 mg/dL = 1.26 g/L = 6.99 mmol/L; 90 mg/dL = 5.00 mmol/L.
    assert.equal(convertConcentration(126, 'mg/dL', 'mmol/L', 180.16), 6.99);
    assert.equal(convertConcentration(90, 'mg/dL', 'mmol/L', 180.16), 5);
    // Creatinine 113.12 g/mol: 1.0 mg/dL = 88.4 umol/L.
    assert.equal(convertConcentration(1.0, 'mg/dL', 'umol/L', 113.12), 88.4);
    // And back.
    assert.equal(convertConcentration(7.0, 'mmol/L', 'mg/dL', 180.16), 126);
  });

  it('converts between prefixes of the same kind without a molar mass', () => {
    assert.equal(convertConcentration(0.078, 'mmol/L', 'umol/L'), 78);
    assert.equal(convertConcentration(1, 'g/L', 'mg/dL'), 100);
  });

  it('keeps as many significant digits as the value had, at least 3', () => {
    assert.equal(convertConcentration(126.5, 'mg/dL', 'mmol/L', 180.16), 7.022);
  });

  it('refuses what cannot be converted', () => {
    assert.equal(convertConcentration(126, 'mg/dL', 'mmol/L'), undefined, 'a mass needs the molar mass');
    assert.equal(convertConcentration(6.5, '%', 'mmol/mol'), undefined);
    assert.equal(convertConcentration(6.5, 'mg', 'mmol/L', 180.16), undefined);
    assert.equal(convertConcentration(6.5, '%', '%'), 6.5, 'the same unit is the value');
  });
});
