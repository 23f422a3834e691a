// $validate-code in the engine: membership in a ValueSet, definition in a CodeSystem, displays in both
// languages, unknown systems, CodeableConcepts, abstract and inactive codes.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { FhirError } from '../../server/outcomes';
import { clinical, formulary, icd10, loinc, networkEngine, valueSetUrl } from '../helpers/terminology';

const engine = networkEngine();
const hypertension = { url: valueSetUrl('hypertension-diagnoses') };

describe('validate-code against a ValueSet', () => {
  it('accepts a code of the ValueSet and gives its display, in the language asked for', async () => {
    assert.deepEqual(await engine.validateCode({ valueSet: hypertension, coding: { system: icd10, code: 'I10' } }), {
      result: true,
      display: 'Essential (primary) hypertension',
    });
    const zh = await engine.validateCode({
      valueSet: hypertension,
      coding: { system: clinical, code: 'I10.x00' },
      displayLanguage: 'zh-CN',
    });
    assert.deepEqual(zh, { result: true, display: '原发性高血压' });
  });

  it('refuses a code that is not in the ValueSet, saying so', async () => {
    const result = await engine.validateCode({ valueSet: hypertension, coding: { system: icd10, code: 'E11.9' } });
    assert.equal(result.result, false);
    assert.match(result.message ?? '', /'E11\.9'.*not in the value set https:\/\/fhir\.dhc\.example\/ValueSet\/hypertension-diagnoses/);
  });

  it('refuses a code its system does not define, naming the system', async () => {
    const result = await engine.validateCode({ valueSet: hypertension, coding: { system: clinical, code: 'I99.x00' } });
    assert.equal(result.result, false);
    assert.match(result.message ?? '', /'I99\.x00' is not defined in code system 'https:\/\/fhir\.dhc\.example\/CodeSystem\/icd-10-cn-clinical-2\.0'/);
  });

  it('answers result=false for an unknown system, with a message naming it (not an error)', async () => {
    const result = await engine.validateCode({ valueSet: hypertension, coding: { system: 'http://example.org/unknown', code: 'I10' } });
    assert.equal(result.result, false);
    assert.match(result.message ?? '', /Unknown code system 'http:\/\/example\.org\/unknown'/);
  });

  it('accepts the display or any designation, in either language; another display makes the result false', async () => {
    for (const display of ['Essential (primary) hypertension', 'essential (PRIMARY)  hypertension', '特发性（原发性）高血压']) {
      assert.equal((await engine.validateCode({
        valueSet: hypertension,
        coding: { system: icd10, code: 'I10', display },
      })).result, true, display);
    }
    const wrong = await engine.validateCode({ valueSet: hypertension, coding: { system: icd10, code: 'I10', display: '2型糖尿病' } });
    assert.equal(wrong.result, false);
    assert.equal(wrong.display, 'Essential (primary) hypertension');
    assert.match(wrong.message ?? '', /display '2型糖尿病' is not a display of http:\/\/hl7\.org\/fhir\/sid\/icd-10#I10/);
  });

  it('accepts a CodeableConcept when one of its codings is in the ValueSet', async () => {
    const valid = await engine.validateCode({
      valueSet: { url: valueSetUrl('type-2-diabetes-diagnoses') },
      codeableConcept: { coding: [{ system: 'http://example.org/local', code: 'DM2' }, { system: clinical, code: 'E11.900' }] },
    });
    assert.deepEqual(valid, { result: true, display: 'Type 2 diabetes mellitus' });
    const invalid = await engine.validateCode({
      valueSet: { url: valueSetUrl('type-2-diabetes-diagnoses') },
      codeableConcept: { coding: [{ system: icd10, code: 'I10' }, { system: 'http://example.org/local', code: 'DM2' }] },
    });
    assert.equal(invalid.result, false);
    assert.match(invalid.message ?? '', /I10.*; Unknown code system 'http:\/\/example\.org\/local'/);
  });

  it('validates against codes of systems it does not know when the ValueSet lists them (UCUM)', async () => {
    const units = { url: valueSetUrl('ucum-units') };
    assert.equal((await engine.validateCode({
      valueSet: units,
      coding: { system: 'http://unitsofmeasure.org', code: 'mmol/L' },
    })).result, true);
    const massUnit = await engine.validateCode({ valueSet: units, coding: { system: 'http://unitsofmeasure.org', code: 'mg/dL' } });
    assert.equal(massUnit.result, false);
    assert.doesNotMatch(massUnit.message ?? '', /Unknown code system/);
  });

  it('an unknown ValueSet is 404', async () => {
    await assert.rejects(
      engine.validateCode({ valueSet: { url: valueSetUrl('nope') }, coding: { system: icd10, code: 'I10' } }),
      (err: unknown) => err instanceof FhirError && err.status === 404
    );
  });
});

describe('validate-code against a CodeSystem', () => {
  it('accepts a defined code and refuses another, naming the system', async () => {
    assert.deepEqual(await engine.validateCodeInCodeSystem({ codeSystem: { url: loinc }, coding: { system: loinc, code: '4548-4' } }), {
      result: true,
      display: 'Hemoglobin A1c/Hemoglobin.total in Blood',
    });
    const missing = await engine.validateCodeInCodeSystem({ codeSystem: { url: formulary }, coding: { code: 'aspirin-tab-1g' } });
    assert.equal(missing.result, false);
    assert.match(missing.message ?? '', /'aspirin-tab-1g' is not defined in code system 'https:\/\/fhir\.dhc\.example\/CodeSystem\/formulary'/);
  });

  it('says when a code is missing from a fragment rather than from the system', async () => {
    const result = await engine.validateCodeInCodeSystem({ codeSystem: { url: loinc }, coding: { code: '2093-3' } });
    assert.equal(result.result, false);
    assert.match(result.message ?? '', /held by this server \(content: fragment\)/);
  });

  it('answers result=false for an unknown code system, naming it', async () => {
    const result = await engine.validateCodeInCodeSystem({ codeSystem: { url: 'http://example.org/unknown' }, coding: { code: 'x' } });
    assert.equal(result.result, false);
    assert.match(result.message ?? '', /Unknown code system 'http:\/\/example\.org\/unknown'/);
  });

  it('refuses a coding of another system, and an abstract code when abstract=false', async () => {
    const other = await engine.validateCodeInCodeSystem({
      codeSystem: { url: formulary },
      coding: { system: loinc, code: 'antidiabetic' },
    });
    assert.equal(other.result, false);
    const grouping = { codeSystem: { url: formulary }, coding: { system: formulary, code: 'generic-metformin' } };
    assert.equal((await engine.validateCodeInCodeSystem(grouping)).result, true);
    const refused = await engine.validateCodeInCodeSystem({ ...grouping, abstract: false });
    assert.equal(refused.result, false);
    assert.match(refused.message ?? '', /abstract/);
  });

  it('accepts an inactive code with a warning', async () => {
    const cs: CodeSystem = {
      resourceType: 'CodeSystem',
      url: 'https://example.org/old',
      status: 'active',
      content: 'complete',
      concept: [{ code: 'gone', display: 'Gone', property: [{ code: 'status', valueCode: 'retired' }] }],
    };
    const result = await networkEngine([cs]).validateCodeInCodeSystem({ codeSystem: { url: cs.url as string }, coding: { code: 'gone' } });
    assert.deepEqual(result, { result: true, message: 'https://example.org/old#gone is inactive', display: 'Gone' });
  });
});
