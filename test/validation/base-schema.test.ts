// The base-schema check of every write: what it rejects, and that each mistake comes back as one
// issue naming the element the way a FHIR client writes it (Patient.contact[0].name.family).
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import path from 'node:path';
import {
  compileBaseSchema,
  GENERATED_VALIDATOR,
  loadBaseSchema,
  SCHEMA_STAMP,
  validateBaseSchema,
} from '../../server/validation/base-schema';
import { toIssues } from '../../server/validation/base-schema-issues';

const fixtureDir = path.resolve(__dirname, '../../../test/fixtures/roundtrip');

/** The (code, expression) pairs of the issues, which is what a client acts on. */
function found(resource: unknown): [string, string | undefined][] {
  return validateBaseSchema(resource).map((i) => [i.code, i.expression?.[0]]);
}

function only(resource: unknown): OperationOutcomeIssue {
  const issues = validateBaseSchema(resource);
  assert.equal(issues.length, 1, JSON.stringify(issues));
  assert.equal(issues[0].severity, 'error');
  return issues[0];
}

const chinesePatient = {
  resourceType: 'Patient',
  id: 'pat-001',
  meta: { lastUpdated: '2026-03-05T09:30:00.000+08:00', profile: ['http://example.org/StructureDefinition/cn-patient'] },
  extension: [
    { url: 'http://example.org/fhir/StructureDefinition/ethnicity', valueCoding: { system: 'urn:oid:2.16.156.10011.2.3.3.3', code: '01', display: '汉族' } },
    { url: 'http://example.org/fhir/StructureDefinition/household', extension: [{ url: 'province', valueString: '广东省' }] },
  ],
  identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: '440101198001010012' }],
  active: true,
  // U+3000, the ideographic space: the shipped string pattern rejected it.
  name: [{ use: 'official', text: '王\u3000小明', family: '王', given: ['小明'], _family: { extension: [{ url: 'http://example.org/pinyin', valueString: 'Wang' }] } }],
  telecom: [{ system: 'phone', value: '+86 138 0013 8000', use: 'mobile' }],
  gender: 'male',
  birthDate: '1980-01-01',
  address: [{ text: '广州市天河区体育西路 1 号', city: '广州市', country: 'CN' }],
  contact: [{ relationship: [{ text: '配偶' }], name: { text: '李华' }, telecom: [{ system: 'phone', value: '13900000000' }] }],
};

const bloodPressure = {
  resourceType: 'Observation',
  status: 'final',
  category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'vital-signs' }] }],
  code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel' }] },
  subject: { reference: 'Patient/pat-001' },
  effectiveDateTime: '2026-03-05T09:30:00+08:00',
  valueQuantity: { value: 72, unit: '/min', system: 'http://unitsofmeasure.org', code: '/min' },
  component: [
    { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 132, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
    { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 85.5, unit: 'mmHg', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
  ],
};

describe('validateBaseSchema', () => {
  before(function () {
    this.timeout(60000); // a compile at run time when the build did not generate the validator
    loadBaseSchema();
  });

  describe('accepts valid R4', () => {
    it('a Patient with a Chinese name, extensions and an extension on a primitive', () => {
      assert.deepEqual(validateBaseSchema(chinesePatient), []);
    });

    it('an Observation with valueQuantity and components', () => {
      assert.deepEqual(validateBaseSchema(bloodPressure), []);
    });

    it('null placeholders in repeating primitives that carry extensions', () => {
      const name = { given: ['Li', null], _given: [null, { extension: [{ url: 'http://example.org/x', valueString: 'x' }] }] };
      assert.deepEqual(validateBaseSchema({ resourceType: 'Patient', name: [name] }), []);
    });

    it('extensions on canonical elements (missing from the shipped schema)', () => {
      const sd = {
        resourceType: 'Questionnaire',
        status: 'draft',
        derivedFrom: ['http://example.org/Questionnaire/base'],
        _derivedFrom: [{ extension: [{ url: 'http://example.org/x', valueBoolean: true }] }],
      };
      assert.deepEqual(validateBaseSchema(sd), []);
    });

    it('every roundtrip fixture', () => {
      for (const file of fs.readdirSync(fixtureDir).filter((f) => f.endsWith('.json'))) {
        const resource: unknown = JSON.parse(fs.readFileSync(path.join(fixtureDir, file), 'utf8'));
        assert.deepEqual(validateBaseSchema(resource), [], file);
      }
    });
  });

  describe('rejects, naming the element', () => {
    it('an unknown element', () => {
      const issue = only({ ...chinesePatient, favouriteColour: 'red' });
      assert.equal(issue.code, 'structure');
      assert.deepEqual(issue.expression, ['Patient.favouriteColour']);
      assert.equal(issue.details?.text, "Unknown element 'favouriteColour'");
    });

    it('a code outside its required value set', () => {
      const issue = only({ ...chinesePatient, gender: 'bogus' });
      assert.equal(issue.code, 'value');
      assert.deepEqual(issue.expression, ['Patient.gender']);
      assert.match(issue.details?.text ?? '', /'bogus'.*male, female, other, unknown/);
    });

    it('an id with characters outside A-Z a-z 0-9 - .', () => {
      const issue = only({ ...chinesePatient, id: 'a b' });
      assert.equal(issue.code, 'value');
      assert.deepEqual(issue.expression, ['Patient.id']);
    });

    it('a string where a boolean belongs', () => {
      const issue = only({ ...chinesePatient, active: 'yes' });
      assert.equal(issue.code, 'structure');
      assert.deepEqual(issue.expression, ['Patient.active']);
      assert.match(issue.details?.text ?? '', /boolean.*'yes'/);
    });

    it('wrong types inside a backbone element, with array indexes', () => {
      const contact = [{ name: { family: 1 } }, { relationship: [{ text: 'x' }], bogus: true }];
      assert.deepEqual(found({ resourceType: 'Patient', contact }), [
        ['structure', 'Patient.contact[0].name.family'],
        ['structure', 'Patient.contact[1].bogus'],
      ]);
      assert.deepEqual(found({ resourceType: 'Patient', name: [{ given: ['a', 3] }] }), [['structure', 'Patient.name[0].given[1]']]);
    });

    it('a dateTime with a time but no time zone', () => {
      const issue = only({ ...bloodPressure, effectiveDateTime: '2026-03-05T09:30:00' });
      assert.equal(issue.code, 'value');
      assert.deepEqual(issue.expression, ['Observation.effectiveDateTime']);
      assert.match(issue.details?.text ?? '', /time zone/);
      assert.deepEqual(found({ resourceType: 'Patient', birthDate: '1980-13-01' }), [['value', 'Patient.birthDate']]);
    });

    it('a decimal sent as a string, and a fraction where an integer belongs', () => {
      const component = [{ ...bloodPressure.component[0], valueQuantity: { value: '132' } }];
      assert.deepEqual(found({ ...bloodPressure, component }), [['structure', 'Observation.component[0].valueQuantity.value']]);
      const { valueQuantity, ...withoutValue } = bloodPressure;
      assert.ok(valueQuantity);
      assert.deepEqual(found({ ...withoutValue, valueInteger: 1.5 }), [['structure', 'Observation.valueInteger']]);
    });

    it('two types of one choice element', () => {
      const issue = only({ resourceType: 'Patient', multipleBirthBoolean: true, multipleBirthInteger: 2 });
      assert.equal(issue.code, 'structure');
      assert.deepEqual(issue.expression, ['Patient.multipleBirthInteger']);
      assert.deepEqual(found({ resourceType: 'Patient', extension: [{ url: 'http://x', valueString: 'a', valueCode: 'b' }] }), [
        ['structure', 'Patient.extension[0].valueCode'],
      ]);
    });

    it('an object where an array belongs, a primitive where an object belongs, empty arrays, objects and strings', () => {
      assert.deepEqual(found({ resourceType: 'Patient', name: { family: 'x' } }), [['structure', 'Patient.name']]);
      assert.deepEqual(found({ resourceType: 'Patient', meta: 5 }), [['structure', 'Patient.meta']]);
      assert.deepEqual(found({ resourceType: 'Patient', name: [] }), [['structure', 'Patient.name']]);
      assert.deepEqual(found({ resourceType: 'Patient', name: [{}] }), [['structure', 'Patient.name[0]']]);
      assert.deepEqual(found({ resourceType: 'Patient', name: [{ family: '' }] }), [['value', 'Patient.name[0].family']]);
    });

    it('an extension without url', () => {
      assert.deepEqual(found({ resourceType: 'Patient', extension: [{ valueString: 'x' }] }), [['required', 'Patient.extension[0].url']]);
    });

    it('a missing required element', () => {
      const issue = only({ resourceType: 'Observation', status: 'final' });
      assert.equal(issue.code, 'required');
      assert.deepEqual(issue.expression, ['Observation.code']);
    });

    it('Medplum-only elements that are not R4', () => {
      assert.deepEqual(found({ resourceType: 'Patient', meta: { project: 'p1' } }), [['structure', 'Patient.meta.project']]);
    });

    it('every mistake at once, one issue each', () => {
      assert.deepEqual(found({ resourceType: 'Patient', foo: 1, bar: 2, gender: 'x', id: 'a b' }).sort(), [
        ['structure', 'Patient.bar'],
        ['structure', 'Patient.foo'],
        ['value', 'Patient.gender'],
        ['value', 'Patient.id'],
      ]);
    });
  });

  describe('resource type', () => {
    it('missing', () => {
      const issue = only({ id: 'x' });
      assert.equal(issue.code, 'required');
      assert.deepEqual(issue.expression, ['resourceType']);
    });

    it('unknown, including the Medplum-only types', () => {
      const issue = only({ resourceType: 'Foo', id: 'x' });
      assert.equal(issue.code, 'value');
      assert.deepEqual(issue.expression, ['resourceType']);
      assert.equal(issue.details?.text, "Unknown resource type 'Foo'");
      assert.deepEqual(found({ resourceType: 'Project', name: 'x' }), [['value', 'resourceType']]);
    });

    it('not a string', () => {
      assert.deepEqual(found({ resourceType: 5 }), [['structure', 'resourceType']]);
    });

    it('not an object at all', () => {
      for (const value of [null, [chinesePatient], 'Patient', 5, true]) {
        const issue = only(value);
        assert.equal(issue.code, 'structure');
        assert.equal(issue.expression, undefined);
        assert.match(issue.details?.text ?? '', /JSON object/);
      }
    });
  });

  describe('resources inside resources', () => {
    it('a contained resource with an unknown element', () => {
      const issue = only({ ...chinesePatient, contained: [{ resourceType: 'Practitioner', id: 'dr', qualifications: [] }] });
      assert.equal(issue.code, 'structure');
      assert.deepEqual(issue.expression, ['Patient.contained[0].qualifications']);
    });

    it('a contained resource of an unknown type, or not an object', () => {
      assert.deepEqual(found({ resourceType: 'Patient', contained: [{ resourceType: 'Foo' }] }), [['value', 'Patient.contained[0].resourceType']]);
      assert.deepEqual(found({ resourceType: 'Patient', contained: [{ id: 'x' }] }), [['required', 'Patient.contained[0].resourceType']]);
      assert.deepEqual(found({ resourceType: 'Patient', contained: [null] }), [['structure', 'Patient.contained[0]']]);
    });

    it('a Bundle entry', () => {
      const bundle = { resourceType: 'Bundle', type: 'collection', entry: [{ resource: chinesePatient }, { resource: { ...bloodPressure, status: 'done' } }] };
      assert.deepEqual(found(bundle), [['value', 'Bundle.entry[1].resource.status']]);
    });
  });

  it('rejects the base64 that made the shipped pattern backtrack for minutes, quickly', () => {
    const started = Date.now();
    const issue = only({ resourceType: 'Patient', extension: [{ url: 'http://x', valueBase64Binary: `${'AAAA '.repeat(5000)}!` }] });
    assert.deepEqual(issue.expression, ['Patient.extension[0].valueBase64Binary']);
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual(found({ resourceType: 'Patient', extension: [{ url: 'http://x', valueBase64Binary: 'QUJD\nREVG' }] }), []);
  });

  it('checks base64Binary in one pass: megabytes of it are valid, a group short, a stray character or only whitespace are not', () => {
    const binary = (data: string): unknown => ({ resourceType: 'Binary', contentType: 'application/octet-stream', data });
    // 3 MB: a pattern repeating a group per four characters overflowed V8's backtracking stack at about 1 MB.
    assert.deepEqual(found(binary(`${'QUJD'.repeat(750_000)}\n`)), []);
    assert.deepEqual(found(binary('QU JD\r\nRE\tVG QQ==')), []);
    for (const bad of ['QUJDRA', `${'QUJD'.repeat(750_000)}!`, ' \n ', 'QUJD\u00a0REVG']) {
      const issue = only(binary(bad));
      assert.deepEqual(issue.expression, ['Binary.data']);
      assert.match(issue.details?.text ?? '', /use base64/);
    }
  });

  it('refuses, without throwing, nesting deep enough to overflow the stack', () => {
    const depth = 20000;
    const nested = `${'{"url":"x","extension":['.repeat(depth)}{"url":"x","valueString":"a"}${']}'.repeat(depth)}`;
    const issue = only(JSON.parse(`{"resourceType":"Patient","extension":[${nested}]}`));
    assert.equal(issue.code, 'too-costly');
  });

  it('caps the number of issues', () => {
    const extension = Array.from({ length: 80 }, () => ({ valueString: 'no url' }));
    const issues = validateBaseSchema({ resourceType: 'Patient', extension });
    assert.equal(issues.length, 51);
    assert.match(issues[50].details?.text ?? '', /30 further errors/);
  });

  // The build generates the validator; this checks it is current and agrees with a run-time compile.
  it('the generated validator matches this source', function () {
    if (!fs.existsSync(GENERATED_VALIDATOR)) {
      this.skip();
    }
    this.timeout(60000);
    const generated = require(GENERATED_VALIDATOR) as { schemaStamp: string };
    assert.equal(generated.schemaStamp, SCHEMA_STAMP, 'stale: run npm run build');
    const { validate } = compileBaseSchema();
    const samples: Record<string, unknown>[] = [
      chinesePatient,
      bloodPressure,
      { resourceType: 'Patient', foo: 1, gender: 'x', contact: [{ name: { family: 1 } }], contained: [{ resourceType: 'Foo' }] },
      { resourceType: 'Patient', multipleBirthBoolean: true, multipleBirthInteger: 2, name: [] },
    ];
    for (const sample of samples) {
      const runtime = validate(sample) ? [] : toIssues(validate.errors ?? [], sample);
      assert.deepEqual(validateBaseSchema(sample), runtime);
    }
  });
});
