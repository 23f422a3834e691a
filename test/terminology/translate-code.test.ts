// $translate in the engine: a clinic's local lab codes to LOINC and back (reverse), equivalences,
// unmatched codes, target systems and value sets, and unknown maps.
import { strict as assert } from 'node:assert';
import { FhirError } from '../../server/outcomes';
import { base, clinical, icd10, labB100, labC220, loinc, networkEngine, valueSetUrl } from '../helpers/terminology';

const engine = networkEngine();
const mapB100 = `${base}/ConceptMap/local-lab-clinic-b100-0001-to-loinc`;

describe('translate', () => {
  it("translates a clinic's local lab code to LOINC", async () => {
    const result = await engine.translate({ codings: [{ system: labC220, code: 'KFXT' }] });
    assert.equal(result.result, true);
    assert.deepEqual(result.matches, [
      {
        equivalence: 'equivalent',
        concept: { system: loinc, code: '14771-0', display: 'Fasting glucose [Moles/volume] in Serum or Plasma' },
        source: `${base}/ConceptMap/local-lab-clinic-c220-0003-to-loinc`,
      },
    ]);
  });

  it('translates LOINC back to every clinic code mapped to it (reverse=true)', async () => {
    const result = await engine.translate({ codings: [{ system: loinc, code: '14771-0' }], reverse: true });
    assert.equal(result.result, true);
    assert.deepEqual(
      result.matches.map((m) => [m.concept?.system, m.concept?.code, m.equivalence]),
      [
        [labB100, '100101', 'equivalent'],
        [`${base}/CodeSystem/local-lab/clinic-c210-0002`, 'GLU-F', 'equivalent'],
        [labC220, 'KFXT', 'equivalent'],
      ]
    );
  });

  it('turns the equivalence round in reverse: the clinic code is narrower than the method-less LOINC code', async () => {
    const forward = await engine.translate({ codings: [{ system: labB100, code: '100401' }] });
    assert.equal(forward.matches[0].equivalence, 'wider');
    const back = await engine.translate({ codings: [{ system: loinc, code: '14682-9' }], reverse: true, targetSystem: labB100 });
    assert.deepEqual(back.matches.map((m) => [m.concept?.code, m.equivalence]), [['100401', 'narrower']]);
  });

  it('reports an unmatched code as result=false with the map comment', async () => {
    const result = await engine.translate({ codings: [{ system: labB100, code: '109901' }] });
    assert.equal(result.result, false);
    assert.deepEqual(result.matches.map((m) => m.equivalence), ['unmatched']);
    assert.match(result.message ?? '', /no blood-group code/);
  });

  it('uses the map named by url only, and 404s an unknown map url', async () => {
    const viaB100 = await engine.translate({ conceptMap: { url: mapB100 }, codings: [{ system: labC220, code: 'KFXT' }] });
    assert.equal(viaB100.result, false);
    assert.deepEqual(viaB100.matches, []);
    await assert.rejects(
      engine.translate({ conceptMap: { url: `${base}/ConceptMap/none` }, codings: [{ system: labC220, code: 'KFXT' }] }),
      (err: unknown) => err instanceof FhirError && err.status === 404 && err.outcome.issue?.[0].expression?.[0] === 'url'
    );
  });

  it('says when no map translates a system, or a code', async () => {
    const noMap = await engine.translate({ codings: [{ system: 'http://example.org/none', code: 'x' }] });
    assert.equal(noMap.result, false);
    assert.match(noMap.message ?? '', /No ConceptMap translates from 'http:\/\/example\.org\/none'/);
    const noCode = await engine.translate({ codings: [{ system: labC220, code: 'NOPE' }] });
    assert.match(noCode.message ?? '', /No mapping of .*#NOPE/);
  });

  it('keeps only matches in the target ValueSet, and maps national clinical codes to ICD-10', async () => {
    const inTarget = await engine.translate({
      codings: [{ system: clinical, code: 'E11.900' }],
      target: valueSetUrl('type-2-diabetes-diagnoses'),
    });
    assert.deepEqual(inTarget.matches.map((m) => [m.concept?.system, m.concept?.code]), [[icd10, 'E11.9']]);
    const outside = await engine.translate({
      codings: [{ system: clinical, code: 'E11.900' }],
      target: valueSetUrl('hypertension-diagnoses'),
    });
    assert.equal(outside.result, false);
  });

  it('translates each coding of a CodeableConcept', async () => {
    const result = await engine.translate({ codings: [{ system: labC220, code: 'KFXT' }, { system: labB100, code: '100201' }] });
    assert.deepEqual(result.matches.map((m) => m.concept?.code), ['14771-0', '4548-4']);
  });
});
