// Each filter operator of ValueSet.compose.include.filter, on a small code system with a hierarchy and
// properties.
import type { CodeSystem, ValueSetComposeIncludeFilter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { CodeSystemIndex } from '../../../server/terminology/concept-index';
import { compileFilter } from '../../../server/terminology/filters/concept-filter';
import { FhirError } from '../../../server/outcomes';

const codeSystem: CodeSystem = {
  resourceType: 'CodeSystem',
  url: 'https://example.org/drugs',
  status: 'active',
  content: 'complete',
  property: [
    { code: 'atc', type: 'Coding' },
    { code: 'class', type: 'code' },
    { code: 'long', type: 'boolean' },
  ],
  concept: [
    {
      code: 'antidiabetic',
      concept: [
        {
          code: 'metformin',
          property: [
            { code: 'atc', valueCoding: { system: 'http://www.whocc.no/atc', code: 'A10BA02' } },
            { code: 'class', valueCode: 'biguanide' },
            { code: 'long', valueBoolean: true },
          ],
        },
        { code: 'gliclazide', property: [
          { code: 'atc', valueCoding: { code: 'A10BB09' } },
          { code: 'class', valueCode: 'sulfonylurea' },
          { code: 'long', valueBoolean: true },
        ] },
      ],
    },
    { code: 'morphine', property: [{ code: 'class', valueCode: 'opioid' }, { code: 'long', valueBoolean: false }] },
  ],
};
const index = new CodeSystemIndex(codeSystem);

function select(filter: ValueSetComposeIncludeFilter): string[] {
  const predicate = compileFilter(index, filter);
  return index.concepts.filter(predicate).map((c) => c.code);
}

describe('ValueSet filters', () => {
  it('is-a: the concept and everything below it', () => {
    assert.deepEqual(select({ property: 'concept', op: 'is-a', value: 'antidiabetic' }), ['antidiabetic', 'metformin', 'gliclazide']);
  });

  it('descendent-of: below it only', () => {
    assert.deepEqual(select({ property: 'concept', op: 'descendent-of', value: 'antidiabetic' }), ['metformin', 'gliclazide']);
  });

  it('is-not-a: outside the concept and its descendants', () => {
    assert.deepEqual(select({ property: 'concept', op: 'is-not-a', value: 'antidiabetic' }), ['morphine']);
  });

  it('generalizes: the concept and everything above it', () => {
    assert.deepEqual(select({ property: 'concept', op: 'generalizes', value: 'metformin' }), ['antidiabetic', 'metformin']);
  });

  it('= on a code, Coding or boolean property, and on parent', () => {
    assert.deepEqual(select({ property: 'class', op: '=', value: 'opioid' }), ['morphine']);
    assert.deepEqual(select({ property: 'atc', op: '=', value: 'A10BB09' }), ['gliclazide']);
    assert.deepEqual(select({ property: 'long', op: '=', value: 'true' }), ['metformin', 'gliclazide']);
    assert.deepEqual(select({ property: 'parent', op: '=', value: 'antidiabetic' }), ['metformin', 'gliclazide']);
  });

  it('in and not-in: one of a comma-separated list', () => {
    assert.deepEqual(select({ property: 'class', op: 'in', value: 'biguanide, opioid' }), ['metformin', 'morphine']);
    assert.deepEqual(select({ property: 'concept', op: 'not-in', value: 'metformin,morphine' }), ['antidiabetic', 'gliclazide']);
  });

  it('regex: the whole value matches', () => {
    assert.deepEqual(select({ property: 'atc', op: 'regex', value: 'A10B[AB].*' }), ['metformin', 'gliclazide']);
    assert.deepEqual(select({ property: 'code', op: 'regex', value: 'met' }), [], 'anchored: a part is not enough');
  });

  it('exists: has the property, or lacks it', () => {
    assert.deepEqual(select({ property: 'atc', op: 'exists', value: 'true' }), ['metformin', 'gliclazide']);
    assert.deepEqual(select({ property: 'atc', op: 'exists', value: 'false' }), ['antidiabetic', 'morphine']);
  });

  it('refuses an unknown operator, an undeclared property and a broken regex with 422', () => {
    const refused = (filter: ValueSetComposeIncludeFilter): void =>
      assert.throws(() => select(filter), (err: unknown) => err instanceof FhirError && err.status === 422 && err.outcome.issue?.[0].code === 'not-supported');
    refused({ property: 'concept', op: 'child-of' as ValueSetComposeIncludeFilter['op'], value: 'x' });
    refused({ property: 'strength', op: '=', value: '5 mg' });
    refused({ property: 'code', op: 'regex', value: '(' });
    refused({ property: 'class', op: 'is-a', value: 'opioid' });
  });
});
