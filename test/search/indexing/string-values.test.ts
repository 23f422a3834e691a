import { strict as assert } from 'node:assert';
import type { Patient } from '@medplum/fhirtypes';
import { normalizeSearchString } from '../../../server/search/indexing/normalize-string';
import { entriesOf, valuesOf } from './r4-registry';

describe('indexing: string values', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    name: [
      { use: 'official', text: '张伟', family: '张', given: ['伟'] },
      { use: 'usual', family: 'Zhang', given: ['Wei', 'José'], prefix: ['Dr.'], suffix: ['Jr'] },
    ],
    address: [
      {
        text: '青禾市临江区河畔街道滨河路18号',
        line: ['河畔街道滨河路18号', '3栋2单元501室'],
        city: '青禾市',
        district: '临江区',
        state: '青禾省',
        postalCode: '990102',
        country: 'CN',
      },
    ],
  };

  it('indexes each part of a HumanName on its own, Chinese kept as written', () => {
    const entries = entriesOf(patient);
    assert.deepEqual(valuesOf(entries, 'strings', 'name'), [
      { value: '张伟', exact: '张伟' },
      { value: '张', exact: '张' },
      { value: '伟', exact: '伟' },
      { value: 'zhang', exact: 'Zhang' },
      { value: 'wei', exact: 'Wei' },
      { value: 'jose', exact: 'José' },
      { value: 'dr.', exact: 'Dr.' },
      { value: 'jr', exact: 'Jr' },
    ]);
    assert.deepEqual(valuesOf(entries, 'strings', 'family'), [{ value: '张', exact: '张' }, { value: 'zhang', exact: 'Zhang' }]);
    assert.deepEqual(valuesOf(entries, 'strings', 'given'), [{ value: '伟', exact: '伟' }, { value: 'wei', exact: 'Wei' }, { value: 'jose', exact: 'José' }]);
  });

  it('indexes each part of an Address (R4 has no district parameter: address finds it), city, state and postal code also on their own', () => {
    const entries = entriesOf(patient);
    assert.deepEqual(valuesOf(entries, 'strings', 'address'), [
      { value: '青禾市临江区河畔街道滨河路18号', exact: '青禾市临江区河畔街道滨河路18号' },
      { value: '河畔街道滨河路18号', exact: '河畔街道滨河路18号' },
      { value: '3栋2单元501室', exact: '3栋2单元501室' },
      { value: '青禾市', exact: '青禾市' },
      { value: '临江区', exact: '临江区' },
      { value: '青禾省', exact: '青禾省' },
      { value: '990102', exact: '990102' },
      { value: 'cn', exact: 'CN' },
    ]);
    assert.deepEqual(valuesOf(entries, 'strings', 'address-city'), [{ value: '青禾市', exact: '青禾市' }]);
    assert.deepEqual(valuesOf(entries, 'strings', 'address-state'), [{ value: '青禾省', exact: '青禾省' }]);
    assert.deepEqual(valuesOf(entries, 'strings', 'address-postalcode'), [{ value: '990102', exact: '990102' }]);
  });

  it('makes "José" findable as "jose": lower case, accents removed, whitespace collapsed', () => {
    assert.equal(normalizeSearchString('José'), 'jose');
    assert.equal(normalizeSearchString('  Müller-Lüdenscheidt \t Straße '), 'muller-ludenscheidt straße');
    assert.equal(normalizeSearchString('ÅNGSTRÖM Çelik'), 'angstrom celik');
    assert.equal(normalizeSearchString('张伟 河畔街道'), '张伟 河畔街道');
    // Voicing marks change the kana, and Hangul must come back composed.
    assert.equal(normalizeSearchString('がぎ 한국어'), 'がぎ 한국어');
    assert.equal(normalizeSearchString('é'), 'e', 'already decomposed input');
  });

  it('indexes the text of a CodeableConcept where a string parameter reaches it', () => {
    const entries = entriesOf({
      resourceType: 'Observation',
      status: 'final',
      code: { text: 'diet' },
      valueCodeableConcept: { text: 'Low-Salt Diet' },
    });
    assert.deepEqual(valuesOf(entries, 'strings', 'value-string'), [{ value: 'low-salt diet', exact: 'Low-Salt Diet' }]);
  });
});
