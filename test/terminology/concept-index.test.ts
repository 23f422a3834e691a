// Indexing a CodeSystem: codes, the hierarchy from nesting and from parent/child properties, status
// flags, case-insensitive systems and property values.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { CodeSystemIndex } from '../../server/terminology/concept-index';
import { networkResource } from '../helpers/terminology';

const sorted = (set: ReadonlySet<string>): string[] => [...set].sort();

describe('CodeSystem index', () => {
  it('reads the ICD-10 hierarchy from nested concepts: E11 and its ten subcategories', () => {
    const index = new CodeSystemIndex(networkResource<CodeSystem>('CodeSystem', 'icd-10-fragment'));
    assert.equal(index.concepts.length, 31);
    assert.deepEqual(sorted(index.descendantsOf('E11')), [
      'E11.0',
      'E11.1',
      'E11.2',
      'E11.3',
      'E11.4',
      'E11.5',
      'E11.6',
      'E11.7',
      'E11.8',
      'E11.9',
    ]);
    assert.deepEqual(sorted(index.ancestorsOf('E11.9')), ['E11']);
    assert.deepEqual(index.get('E11.9')?.parents, ['E11']);
    assert.ok(index.isSelfOrDescendant('E11.9', 'E11'));
    assert.ok(index.isSelfOrDescendant('E11', 'E11'));
    assert.ok(!index.isSelfOrDescendant('I10', 'E11'));
  });

  it('walks several levels: formulary group > class > generic > product', () => {
    const index = new CodeSystemIndex(networkResource<CodeSystem>('CodeSystem', 'formulary'));
    assert.ok(index.ancestorsOf('metformin-tab-0.5g').has('antidiabetic'));
    assert.ok(index.descendantsOf('antidiabetic').has('metformin-tab-0.5g'));
    assert.equal(index.get('generic-metformin')?.abstract, true);
    assert.equal(index.get('metformin-tab-0.5g')?.abstract, false);
    assert.deepEqual(index.propertyValues(index.get('metformin-tab-0.5g')!, 'atc'), ['A10BA02']);
    assert.deepEqual(index.propertyValues(index.get('metformin-tab-0.5g')!, 'longPrescriptionAllowed'), ['true']);
  });

  it('adds parent and child properties to the hierarchy, and marks inactive concepts', () => {
    const index = new CodeSystemIndex({
      resourceType: 'CodeSystem',
      url: 'https://example.org/cs',
      status: 'active',
      content: 'complete',
      concept: [
        { code: 'root', property: [{ code: 'child', valueCode: 'b' }] },
        { code: 'a', property: [{ code: 'parent', valueCode: 'root' }] },
        { code: 'b' },
        { code: 'c', property: [{ code: 'parent', valueCode: 'a' }, { code: 'status', valueCode: 'retired' }] },
        { code: 'd', property: [{ code: 'inactive', valueBoolean: true }] },
      ],
    });
    assert.deepEqual(sorted(index.descendantsOf('root')), ['a', 'b', 'c']);
    assert.deepEqual(index.propertyValues(index.get('a')!, 'parent'), ['root']);
    assert.deepEqual(index.propertyValues(index.get('root')!, 'child').sort(), ['a', 'b']);
    assert.deepEqual(index.concepts.filter((c) => c.inactive).map((c) => c.code), ['c', 'd']);
  });

  it('finds codes regardless of case only in a case-insensitive system', () => {
    const concept = [{ code: 'Abc' }];
    const insensitive = new CodeSystemIndex({
      resourceType: 'CodeSystem',
      status: 'active',
      content: 'complete',
      caseSensitive: false,
      concept,
    });
    const sensitive = new CodeSystemIndex({
      resourceType: 'CodeSystem',
      status: 'active',
      content: 'complete',
      caseSensitive: true,
      concept,
    });
    assert.equal(insensitive.get('ABC')?.code, 'Abc');
    assert.equal(sensitive.get('ABC'), undefined);
  });

  it('survives a hierarchy that loops', () => {
    const index = new CodeSystemIndex({
      resourceType: 'CodeSystem',
      status: 'active',
      content: 'complete',
      concept: [
        { code: 'x', property: [{ code: 'parent', valueCode: 'y' }] },
        { code: 'y', property: [{ code: 'parent', valueCode: 'x' }] },
      ],
    });
    assert.deepEqual(sorted(index.descendantsOf('x')), ['y']);
  });
});
