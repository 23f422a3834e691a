// The $expand filter text: Chinese matches anywhere, other words at a word start; folding of case,
// accents and full-width forms.
import { strict as assert } from 'node:assert';
import { compileTextFilter, foldText, matchesTextFilter } from '../../server/terminology/text-match';

const matches = (filter: string, ...texts: string[]): boolean => matchesTextFilter(compileTextFilter(filter), texts.map(foldText));

describe('text filter', () => {
  it('folds case, accents and full-width forms', () => {
    assert.equal(foldText('Ménière'), 'meniere');
    assert.equal(foldText('体质指数（ＢＭＩ）'), '体质指数(bmi)');
  });

  it('finds Chinese text anywhere: 糖尿病 in 2型糖尿病, 高血压 in 继发性高血压', () => {
    assert.ok(matches('糖尿病', '2型糖尿病'));
    assert.ok(matches('高血压', '继发性高血压'));
    assert.ok(matches('血压', '高血压性心脏病'));
    assert.ok(!matches('糖尿病', '高血压性心脏病'));
  });

  it('matches English words by prefix, without regard to case or accents', () => {
    assert.ok(matches('hypert', 'Essential (primary) hypertension'));
    assert.ok(matches('PRIMARY', 'Essential (primary) hypertension'));
    assert.ok(matches('meniere', 'Ménière disease'));
    assert.ok(!matches('tension', 'Essential (primary) hypertension'), 'not inside a word');
  });

  it('needs every word of the filter, each in any of the texts', () => {
    assert.ok(matches('hypertensive heart', 'Hypertensive heart disease'));
    assert.ok(!matches('hypertensive kidney', 'Hypertensive heart disease'));
    assert.ok(matches('I10 高血压', 'i10', 'Essential hypertension', '原发性高血压'));
  });

  it('reads a word that follows Chinese characters as starting there', () => {
    assert.ok(matches('a1c', '糖化血红蛋白A1c'));
    assert.ok(matches('picc', 'PICC导管维护'));
  });

  it('an empty filter matches everything', () => {
    assert.ok(matches('  ', 'anything'));
  });
});
