// The invariants read from the JSON (server/validation/native-invariants.ts) agree with @medplum/core's
// FHIRPath on every value they decide: generated Periods, Observations and reference ranges, each judged
// both ways (an undecided value goes to FHIRPath, and is not compared).
import { evalFhirPathTyped, parseFhirPath, type TypedValue } from '@medplum/core';
import fc from 'fast-check';
import { strict as assert } from 'node:assert';
import { nativeCheck } from '../../server/validation/native-invariants';

type Json = Record<string, unknown>;

/** Whether FHIRPath finds the invariant held: an empty result holds too, as the profile walker reads it. */
function holdsByFhirPath(expression: string, type: string, value: Json, resource: TypedValue): boolean {
  const typed: TypedValue = { type, value };
  const result = evalFhirPathTyped(parseFhirPath(expression), [typed], { '%context': typed, '%resource': resource, '%rootResource': resource });
  return result.length === 0 || (result.length === 1 && result[0].value === true);
}

/** Checks every generated value: decided natively means decided the same as FHIRPath; returns how many were decided. */
function agree(key: string, expression: string, type: string, values: fc.Arbitrary<Json>, resourceOf: (v: Json) => TypedValue): number {
  const check = nativeCheck({ key, severity: 'error', expression, description: key });
  assert.ok(check, `${key} has a native form`);
  let decided = 0;
  fc.assert(
    fc.property(values, (value) => {
      const resource = resourceOf(value);
      const native = check(value, resource.value as Json);
      if (native !== undefined) {
        decided++;
        assert.equal(native, holdsByFhirPath(expression, type, value, resource), JSON.stringify(value));
      }
    }),
    { numRuns: 300 }
  );
  return decided;
}

/** Present or absent, evenly: each check meets both often enough in 300 values. */
const optional = <T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.option(arb, { nil: undefined, freq: 2 });
/** Drops the keys whose value is undefined: JSON has no undefined. */
const json = (fields: Record<string, unknown>): Json => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));

const moments = fc.constantFrom(
  '2024',
  '2024-03',
  '2024-03-01',
  '2024-03-02',
  '2024-03-01T08:00:00Z',
  '2024-03-01T16:00:00+08:00',
  '2024-03-01T08:00:01Z',
  '2024-03-01T07:59:59-00:30',
  '2024-03-01T08:00:00.5Z',
  '2024-03-01T08:00',
  '2023-12-31T23:59:59+08:00'
);
const coding = fc.constantFrom({ system: 'http://loinc.org', code: '8480-6' }, { system: 'http://loinc.org', code: '85354-9' });
const quantity = { value: 120, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' };
const observations = fc
  .record({
    code: coding,
    valueQuantity: optional(fc.constant(quantity)),
    valueString: optional(fc.constant('text')),
    _valueString: optional(fc.constant({ extension: [{ url: 'https://example.org/x', valueBoolean: true }] })),
    component: optional(fc.array(coding.map((c) => ({ code: { coding: [c] }, valueQuantity: quantity })), { minLength: 1, maxLength: 2 })),
    hasMember: optional(fc.constant([{ reference: 'Observation/o1' }])),
    dataAbsentReason: optional(fc.constant({ text: 'not asked' })),
  })
  .map(({ code, ...rest }) => json({ resourceType: 'Observation', status: 'final', code: { coding: [code] }, ...rest }));
const asResource = (type: string) => (value: Json): TypedValue => ({ type, value });

describe('validation: invariants read from the JSON agree with FHIRPath', () => {
  it('per-1 on Periods: dates and zoned date-times to the second compared, other precisions left to FHIRPath', () => {
    const periods = fc.record({ start: optional(moments), end: optional(moments) }).map(json);
    const decided = agree('per-1', 'start.hasValue().not() or end.hasValue().not() or (start <= end)', 'Period', periods, asResource('Encounter'));
    assert.ok(decided > 100, `decided ${decided}`);
  });

  it('obs-7 and vs-2 on Observations', () => {
    const obs7 = 'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()';
    assert.ok(agree('obs-7', obs7, 'Observation', observations, asResource('Observation')) > 50);
    const vs2 = '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())';
    assert.ok(agree('vs-2', vs2, 'Observation', observations, asResource('Observation')) > 50);
  });

  it('obs-3 on reference ranges: three elements, one of which must be there', () => {
    const ranges = fc
      .record({
        low: optional(fc.constant({ value: 3.9, unit: 'mmol/L' })),
        high: optional(fc.constant({ value: 6.1, unit: 'mmol/L' })),
        text: optional(fc.constant('3.9-6.1')),
        _text: optional(fc.constant({ extension: [{ url: 'https://example.org/x', valueBoolean: true }] })),
      })
      .map(json);
    const decided = agree('obs-3', 'low.exists() or high.exists() or text.exists()', 'ObservationReferenceRange', ranges, asResource('Observation'));
    assert.ok(decided > 100, `decided ${decided}`);
  });
});
