// $subsumes in the engine: the four outcomes over the ICD-10 and formulary hierarchies.
import { strict as assert } from 'node:assert';
import { FhirError } from '../../server/outcomes';
import { formulary, icd10, networkEngine } from '../helpers/terminology';

const engine = networkEngine();
const subsumes = (system: string, codeA: string, codeB: string): Promise<string> => engine.subsumes({ codeSystem: { url: system }, codeA, codeB });

describe('subsumes', () => {
  it('E11 subsumes E11.9, E11.9 is subsumed by E11, E11 is equivalent to itself', async () => {
    assert.equal(await subsumes(icd10, 'E11', 'E11.9'), 'subsumes');
    assert.equal(await subsumes(icd10, 'E11.9', 'E11'), 'subsumed-by');
    assert.equal(await subsumes(icd10, 'E11', 'E11'), 'equivalent');
  });

  it('I10 and E11.9 are not subsumed; neither are two siblings', async () => {
    assert.equal(await subsumes(icd10, 'I10', 'E11.9'), 'not-subsumed');
    assert.equal(await subsumes(icd10, 'E11.1', 'E11.9'), 'not-subsumed');
  });

  it('works across several levels (drug group above a product)', async () => {
    assert.equal(await subsumes(formulary, 'antidiabetic', 'metformin-srtab-0.5g'), 'subsumes');
    assert.equal(await subsumes(formulary, 'antihypertensive', 'metformin-srtab-0.5g'), 'not-subsumed');
  });

  it('an unknown code is 404 naming the parameter it came in', async () => {
    await assert.rejects(
      engine.subsumes({ codeSystem: { url: icd10 }, codeA: 'E11', codeB: 'Z99', parameterNames: ['codingA', 'codingB'] }),
      (err: unknown) => err instanceof FhirError && err.status === 404 && err.outcome.issue?.[0].expression?.[0] === 'codingB'
    );
  });
});
