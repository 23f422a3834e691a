// $lookup in the engine: display, designations and properties, the hierarchy as parent and child, and
// the errors for unknown systems and codes.
import { strict as assert } from 'node:assert';
import { FhirError } from '../../server/outcomes';
import { formulary, icd10, labC220, networkEngine } from '../helpers/terminology';

const engine = networkEngine();

describe('lookup', () => {
  it('gives the code system, display, designations and the children of ICD-10 E11', async () => {
    const result = await engine.lookup({ codeSystem: { url: icd10 }, code: 'E11' });
    assert.equal(result.name, 'ICD-10 (WHO) fragment used by the DHC network');
    assert.equal(result.version, '1.0.0');
    assert.equal(result.display, 'Non-insulin-dependent diabetes mellitus');
    assert.deepEqual(result.designations.map((d) => [d.language, d.value]), [['zh-CN', '非胰岛素依赖型糖尿病']]);
    const children = result.properties.filter((p) => p.code === 'child');
    assert.equal(children.length, 10);
    assert.deepEqual(children[9], {
      code: 'child',
      value: { valueCode: 'E11.9' },
      description: 'Non-insulin-dependent diabetes mellitus without complications',
    });
    assert.deepEqual(result.properties.filter((p) => p.code === 'parent'), []);
  });

  it('gives a formulary product its properties and its parent', async () => {
    const result = await engine.lookup({ codeSystem: { url: formulary }, code: 'metformin-tab-0.5g' });
    const value = (code: string): unknown => result.properties.find((p) => p.code === code)?.value;
    assert.deepEqual(value('atc'), { valueCoding: { system: 'http://www.whocc.no/atc', code: 'A10BA02' } });
    assert.deepEqual(value('longPrescriptionAllowed'), { valueBoolean: true });
    assert.deepEqual(value('parent'), { valueCode: 'generic-metformin' });
    assert.equal(result.abstract, false);
  });

  it('returns only the properties asked for', async () => {
    const result = await engine.lookup({ codeSystem: { url: formulary }, code: 'metformin-tab-0.5g', properties: ['atc', 'parent'] });
    assert.deepEqual(result.properties.map((p) => p.code), ['atc', 'parent']);
    assert.deepEqual(result.designations, [], 'designations only when asked for');
  });

  it('displays in the language asked for: English for a local lab code whose display is Chinese', async () => {
    assert.equal((await engine.lookup({ codeSystem: { url: labC220 }, code: 'KFXT' })).display, '空腹血糖');
    assert.equal((await engine.lookup({
      codeSystem: { url: labC220 },
      code: 'KFXT',
      displayLanguage: 'en',
    })).display, 'Fasting glucose (venous)');
    assert.equal((await engine.lookup({ codeSystem: { url: icd10 }, code: 'I10', displayLanguage: 'zh-CN' })).display, '特发性（原发性）高血压');
  });

  it('an unknown system or code is 404 naming the parameter', async () => {
    const notFound = (expression: string) => (err: unknown) =>
      err instanceof FhirError && err.status === 404 && err.outcome.issue?.[0].expression?.[0] === expression;
    await assert.rejects(engine.lookup({ codeSystem: { url: 'http://example.org/none' }, code: 'x' }), notFound('system'));
    await assert.rejects(engine.lookup({ codeSystem: { url: icd10 }, code: 'E99' }), notFound('code'));
  });
});
