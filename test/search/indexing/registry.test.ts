import { strict as assert } from 'node:assert';
import type { SearchParameter } from '@medplum/fhirtypes';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { entriesOf, r4Registry, valuesOf } from './r4-registry';

const extra = (overrides: Partial<SearchParameter>): SearchParameter => ({
  resourceType: 'SearchParameter',
  url: `https://fhir.dhc.example/SearchParameter/${overrides.code}`,
  name: overrides.code ?? 'x',
  status: 'active',
  description: 'test',
  code: 'x',
  base: ['Patient'],
  type: 'token',
  expression: 'Patient.id',
  ...overrides,
});

describe('indexing: search parameter registry', () => {
  it('lists the R4 parameters of a type plus _tag, _profile, _security and _source, not the store-owned ones', () => {
    const codes = r4Registry().forType('Patient').map((p) => p.code);
    for (const code of ['identifier', 'name', 'birthdate', 'gender', 'general-practitioner', '_tag', '_profile', '_security', '_source']) {
      assert.ok(codes.includes(code), code);
    }
    for (const code of ['_id', '_lastUpdated', '_text', '_content', '_query']) {
      assert.ok(!codes.includes(code), code);
    }
    assert.equal(new Set(codes).size, codes.length, 'each code once');
  });

  it('finds a parameter by type and code, and knows no Medplum-only types', () => {
    const registry = r4Registry();
    const code = registry.get('Observation', 'code');
    assert.equal(code?.type, 'token');
    assert.ok(code?.expression.includes('Condition.code'), 'the published union expression');
    assert.equal(registry.get('Patient', 'code'), undefined);
    assert.equal(registry.get('Patient', '_tag')?.expression, 'Resource.meta.tag');
    assert.equal(registry.get('Project', '_tag'), undefined);
    assert.deepEqual(registry.forType('Project'), []);
    assert.ok(registry.resourceTypes.has('Patient') && !registry.resourceTypes.has('Project'));
  });

  it('evaluates for each type only its own branch of a union, without the type prefix', () => {
    const plan = r4Registry().indexPlan('Observation').find((p) => p.def.code === 'code');
    assert.deepEqual(plan?.branches.map((b) => b.atom?.toString()), ['code']);
    const patient = r4Registry().indexPlan('Patient').find((p) => p.def.code === 'patient');
    assert.equal(patient, undefined, 'Patient is not a base of the shared patient parameter');
  });

  it('finds the parameters that are unions of others (R4\'s Observation combo-*), which get no rows of their own', () => {
    const registry = r4Registry();
    const unions: string[] = [];
    for (const type of registry.resourceTypes) {
      for (const { def } of registry.searchable(type)) {
        const parts = registry.unionParts(type, def.code);
        if (parts) {
          unions.push(`${type}.${def.code} = ${parts.join(' + ')}`);
          assert.ok(!registry.indexPlan(type).some((p) => p.def.code === def.code), `${def.code} is not indexed`);
        }
      }
    }
    assert.deepEqual(unions.sort(), [
      'Observation.combo-code = code + component-code',
      'Observation.combo-code-value-concept = code-value-concept + component-code-value-concept',
      'Observation.combo-code-value-quantity = code-value-quantity + component-code-value-quantity',
      'Observation.combo-data-absent-reason = component-data-absent-reason + data-absent-reason',
      'Observation.combo-value-concept = component-value-concept + value-concept',
      'Observation.combo-value-quantity = component-value-quantity + value-quantity',
    ]);
    // Parameters with the same single branch are not unions: a reference's targets decide how a bare id reads.
    assert.equal(registry.unionParts('DeviceUseStatement', 'patient'), undefined);
  });

  it('compiles every R4 parameter of every type', () => {
    const registry = r4Registry();
    let compiled = 0;
    for (const type of registry.resourceTypes) {
      compiled += registry.searchable(type).length;
    }
    assert.deepEqual(registry.problems, []);
    assert.ok(compiled > 2000, `${compiled} compiled`);
  });

  it('evaluates a branch without a type prefix (InsurancePlan name is "name | alias")', () => {
    const entries = entriesOf({ resourceType: 'InsurancePlan', name: '城镇职工基本医疗保险', alias: ['职工医保'] });
    assert.deepEqual(valuesOf(entries, 'strings', 'name'), [{ value: '城镇职工基本医疗保险', exact: '城镇职工基本医疗保险' }, { value: '职工医保', exact: '职工医保' }]);
  });

  it('adds the network\'s parameters, which replace an R4 one with the same code, and skips Medplum-only bases', () => {
    const registry = new SearchParameterRegistry([
      extra({
        code: 'ethnicity',
        expression: "Patient.extension.where(url = 'https://fhir.dhc.example/StructureDefinition/ethnicity-cn').value",
      }),
      extra({ code: 'gender', expression: "Patient.extension('https://fhir.dhc.example/StructureDefinition/gender-cn').value" }),
      extra({ code: 'project-only', base: ['Project'] as SearchParameter['base'] }),
      extra({ code: 'broken', expression: 'Patient.name.where(' }),
    ]);
    assert.equal(registry.get('Patient', 'project-only'), undefined);
    const entries = entriesOf(
      {
        resourceType: 'Patient',
        gender: 'male',
        extension: [
          { url: 'https://fhir.dhc.example/StructureDefinition/ethnicity-cn', valueCodeableConcept: { coding: [{ system: 'https://fhir.dhc.example/CodeSystem/ethnicity-gb3304', code: '01', display: '汉族' }] } },
          { url: 'https://fhir.dhc.example/StructureDefinition/gender-cn', valueCode: '1' },
        ],
      },
      registry
    );
    assert.deepEqual(valuesOf(entries, 'tokens', 'ethnicity'), [{ system: 'https://fhir.dhc.example/CodeSystem/ethnicity-gb3304', code: '01', text: '汉族' }]);
    assert.deepEqual(valuesOf(entries, 'tokens', 'gender'), [{ code: '1' }]);
    assert.deepEqual(
      registry.problems.map((p) => [p.url, p.resourceType]),
      [['https://fhir.dhc.example/SearchParameter/broken', 'Patient']]
    );
  });
});
