import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toTypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { unboxPrimitives } from '../../../server/search/indexing/primitive-values';
import { compileSimplePath, evalSimplePath } from '../../../server/search/indexing/simple-path';
import { r4Registry } from './r4-registry';

describe('indexing: plain paths without FHIRPath', () => {
  before(() => r4Registry()); // indexes the schema the compiler reads

  it('resolves choice elements, ofType() and where(x = literal) from the schema', () => {
    assert.deepEqual(compileSimplePath('value.ofType(Quantity)', 'Observation'), [{ alternatives: [{ key: 'valueQuantity', type: 'Quantity' }] }]);
    assert.deepEqual(
      compileSimplePath('effective', 'Observation')?.[0].alternatives.map((a) => a.key),
      ['effectiveDateTime', 'effectivePeriod', 'effectiveTiming', 'effectiveInstant']
    );
    assert.deepEqual(compileSimplePath("telecom.where((system = 'phone'))", 'Patient'), [
      { alternatives: [{ key: 'telecom', type: 'ContactPoint' }], where: { field: 'system', value: 'phone' } },
    ]);
    assert.deepEqual(compileSimplePath('component.code', 'Observation')?.[1], { alternatives: [{ key: 'code', type: 'CodeableConcept' }] });
  });

  it('leaves anything else to FHIRPath', () => {
    for (const expression of ['deceased.exists()', 'entry[0].resource', 'name.given.first()', 'nosuchelement', "extension('x').value", 'value.code']) {
      assert.equal(compileSimplePath(expression, expression === 'entry[0].resource' ? 'Bundle' : 'Patient'), undefined, expression);
    }
  });

  it('gives what FHIRPath gives, type and value, for every plain branch on the round-trip fixtures', () => {
    const registry = r4Registry();
    const dir = join(__dirname, '../../../../test/fixtures/roundtrip');
    let compared = 0;
    for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
      const resource = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Resource;
      const typed = toTypedValue(resource);
      const context = { variables: { '%resource': typed } };
      for (const parameter of registry.searchable(resource.resourceType)) {
        for (const branch of parameter.branches) {
          if (!branch.path || !branch.atom) {
            continue;
          }
          const expected = unboxPrimitives(branch.atom.eval(context, [typed])).map((v) => [v.type, v.value]);
          const actual = evalSimplePath(branch.path, typed).map((v) => [v.type, v.value]);
          assert.deepEqual(actual, expected, `${file} ${parameter.def.code} ${branch.atom.toString()}`);
          compared++;
        }
      }
    }
    assert.ok(compared > 2000, `${compared} branches compared`);
  });
});
