import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import { applyFhirPathPatch } from '../../../server/fhir/patch/fhirpath-patch';
import { expectPatchError, inapplicable, malformed } from './expect-patch-error';

type Part = { name: string } & Record<string, unknown>;

/** One `operation` parameter (https://hl7.org/fhir/R4/fhirpatch.html). */
function operation(type: string, path: string, ...parts: Part[]): Part {
  return { name: 'operation', part: [{ name: 'type', valueCode: type }, { name: 'path', valueString: path }, ...parts] };
}
const fhirPathPatch = (...operations: Part[]): unknown => ({ resourceType: 'Parameters', parameter: operations });
const name = (valueString: string): Part => ({ name: 'name', valueString });
const value = (content: Record<string, unknown>): Part => ({ name: 'value', ...content });
const index = (valueInteger: number): Part => ({ name: 'index', valueInteger });
const source = (valueInteger: number): Part => ({ name: 'source', valueInteger });
const destination = (valueInteger: number): Part => ({ name: 'destination', valueInteger });
/** The JSON members the FHIR types leave out: `_name`, a primitive's id and extensions. */
const members = (value: object): Record<string, unknown> => value as Record<string, unknown>;

function patient(): Patient {
  return {
    resourceType: 'Patient',
    id: 'p1',
    meta: { versionId: '2' },
    identifier: [
      { system: 'http://example.org/mrn', value: '1' },
      { system: 'http://example.org/ssn', value: '2' },
    ],
    name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
    birthDate: '1974-12-25',
  };
}

function observation(): Observation {
  return {
    resourceType: 'Observation',
    id: 'o1',
    status: 'final',
    code: { text: 'weight' },
    valueQuantity: { value: 70, unit: 'kg' },
  };
}

const patchPatient = (...operations: Part[]): Patient => applyFhirPathPatch(patient(), fhirPathPatch(...operations)) as Patient;
const patchObservation = (...operations: Part[]): Observation =>
  applyFhirPathPatch(observation(), fhirPathPatch(...operations)) as Observation;

describe('FHIRPath Patch', () => {
  describe('add', () => {
    it('adds a birthDate to a Patient (the spec example)', () => {
      const input: Patient = { resourceType: 'Patient', id: 'p1' };
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('add', 'Patient', name('birthDate'), value({ valueDate: '1930-01-01' }))));
      assert.deepEqual(result, { resourceType: 'Patient', id: 'p1', birthDate: '1930-01-01' });
    });

    it('appends to a repeating element', () => {
      const result = patchPatient(operation('add', 'Patient.name[0]', name('given'), value({ valueString: 'Jim' })));
      assert.deepEqual(result.name![0].given, ['Peter', 'James', 'Jim']);
    });

    it('starts a repeating element that is absent as an array', () => {
      const result = patchPatient(operation('add', 'Patient', name('telecom'), value({ valueContactPoint: { system: 'phone', value: '555' } })));
      assert.deepEqual(result.telecom, [{ system: 'phone', value: '555' }]);
    });

    it('adds to the element a where() selects', () => {
      const result = patchPatient(
        operation('add', "Patient.identifier.where(system='http://example.org/ssn')", name('use'), value({ valueCode: 'official' }))
      );
      assert.deepEqual(result.identifier![1], { system: 'http://example.org/ssn', value: '2', use: 'official' });
      assert.equal(result.identifier![0].use, undefined);
    });

    it('stores a choice element under its typed key (value -> valueQuantity)', () => {
      const input: Observation = { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'weight' } };
      const result = applyFhirPathPatch(
        input,
        fhirPathPatch(operation('add', 'Observation', name('value'), value({ valueQuantity: { value: 71, unit: 'kg' } })))
      ) as Observation;
      assert.deepEqual(result.valueQuantity, { value: 71, unit: 'kg' });
      assert.equal('value' in result, false);
    });

    it('adds an extension to a primitive, in its _name object', () => {
      const result = patchPatient(
        operation(
          'add',
          'Patient.birthDate',
          name('extension'),
          value({ part: [{ name: 'url', valueUri: 'http://example.org/precision' }, { name: 'value', valueCode: 'day' }] })
        )
      );
      assert.equal(result.birthDate, '1974-12-25');
      assert.deepEqual(members(result)._birthDate, { extension: [{ url: 'http://example.org/precision', valueCode: 'day' }] });
    });

    it('adds an extension to one item of a repeating primitive, keeping the _name array aligned', () => {
      const result = patchPatient(
        operation('add', 'Patient.name[0].given[1]', name('extension'), value({ part: [{ name: 'url', valueUri: 'http://x' }, { name: 'value', valueBoolean: true }] }))
      );
      assert.deepEqual(result.name![0].given, ['Peter', 'James']);
      assert.deepEqual(members(result.name![0])._given, [null, { extension: [{ url: 'http://x', valueBoolean: true }] }]);
    });

    it('is 422 for a non-repeating element that already has a value', () => {
      expectPatchError(
        () => patchPatient(operation('add', 'Patient', name('birthDate'), value({ valueDate: '2000-01-01' }))),
        inapplicable(/^operation 0: add at 'Patient': 'birthDate' already has a value .*use replace/, 'Patient')
      );
    });

    it('is 422 for a choice element that already has a value of another type', () => {
      expectPatchError(
        () => patchObservation(operation('add', 'Observation', name('value'), value({ valueString: 'heavy' }))),
        inapplicable(/'value' already has a value/)
      );
    });

    it('is 422 for a type the choice does not allow', () => {
      expectPatchError(
        () =>
          applyFhirPathPatch(
            { resourceType: 'Observation', id: 'o1', status: 'final', code: {} } as Observation,
            fhirPathPatch(operation('add', 'Observation', name('value'), value({ valueAddress: { city: 'X' } })))
          ),
        inapplicable(/value\[x\] cannot hold a Address .*it allows Quantity, CodeableConcept/)
      );
    });

    it('is 422 for an element the type does not have', () => {
      expectPatchError(
        () => patchPatient(operation('add', 'Patient', name('colour'), value({ valueString: 'blue' }))),
        inapplicable(/Patient has no element 'colour'/)
      );
    });

    it('is 422 for a value of the wrong type', () => {
      expectPatchError(
        () => patchPatient(operation('add', 'Patient', name('active'), value({ valueString: 'yes' }))),
        inapplicable(/the element is a boolean, written as a JSON boolean, and the value is a string/)
      );
    });

    it('is 422 when the path matches nothing or more than one element', () => {
      expectPatchError(
        () => patchPatient(operation('add', 'Patient.contact', name('gender'), value({ valueCode: 'male' }))),
        inapplicable(/the path matches nothing; add needs exactly one element/, 'Patient.contact')
      );
      expectPatchError(
        () => patchPatient(operation('add', 'Patient.identifier', name('use'), value({ valueCode: 'usual' }))),
        inapplicable(/the path matches 2 elements; add needs exactly one element/)
      );
    });
  });

  describe('insert', () => {
    it('inserts at an index of a list (the spec example)', () => {
      const result = patchPatient(
        operation('insert', 'Patient.identifier', value({ valueIdentifier: { system: 'http://example.org/new', value: '3' } }), index(1))
      );
      assert.deepEqual(
        result.identifier!.map((i) => i.value),
        ['1', '3', '2']
      );
    });

    it('inserts at 0 and at the length (the end)', () => {
      const result = patchPatient(
        operation('insert', 'Patient.name[0].given', value({ valueString: 'First' }), index(0)),
        operation('insert', 'Patient.name[0].given', value({ valueString: 'Last' }), index(3))
      );
      assert.deepEqual(result.name![0].given, ['First', 'Peter', 'James', 'Last']);
    });

    it('starts a list that is absent when the index is 0', () => {
      const result = patchPatient(operation('insert', 'Patient.telecom', value({ valueContactPoint: { system: 'email', value: 'a@b.c' } }), index(0)));
      assert.deepEqual(result.telecom, [{ system: 'email', value: 'a@b.c' }]);
    });

    it("keeps a repeating primitive's _name array aligned", () => {
      const input = patient();
      members(input.name![0])._given = [null, { id: 'second' }];
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('insert', 'Patient.name[0].given', value({ valueString: 'New' }), index(0)))) as Patient;
      assert.deepEqual(result.name![0].given, ['New', 'Peter', 'James']);
      assert.deepEqual(members(result.name![0])._given, [null, null, { id: 'second' }]);
    });

    it('is 422 for an index beyond the length', () => {
      expectPatchError(
        () => patchPatient(operation('insert', 'Patient.identifier', value({ valueIdentifier: { value: '9' } }), index(3))),
        inapplicable(/^operation 0: insert at 'Patient.identifier': index 3 is out of range: the list has 2 items, so insert takes 0 to 2/)
      );
    });

    it('is 422 when the path selects part of a list or no list', () => {
      expectPatchError(
        () => patchPatient(operation('insert', "Patient.identifier.where(value='2')", value({ valueIdentifier: { value: '9' } }), index(0))),
        inapplicable(/not one whole list/)
      );
      expectPatchError(
        () => patchPatient(operation('insert', 'Patient.birthDate', value({ valueDate: '2000-01-01' }), index(0))),
        inapplicable(/does not select a list/)
      );
      expectPatchError(
        () => patchPatient(operation('insert', 'Patient.gender', value({ valueCode: 'male' }), index(0))),
        inapplicable(/'gender' is not a repeating element of Patient/)
      );
    });
  });

  describe('delete', () => {
    it('deletes the list item a where() selects', () => {
      const result = patchPatient(operation('delete', "Patient.identifier.where(system='http://example.org/mrn')"));
      assert.deepEqual(result.identifier, [{ system: 'http://example.org/ssn', value: '2' }]);
    });

    it('deletes a primitive list item selected by where($this = ...)', () => {
      const result = patchPatient(operation('delete', "Patient.name.given.where($this = 'Peter')"));
      assert.deepEqual(result.name![0].given, ['James']);
    });

    it('deletes a single element, and a list it leaves empty', () => {
      const result = patchPatient(operation('delete', 'Patient.birthDate'), operation('delete', 'Patient.name[0]'));
      assert.equal('birthDate' in result, false);
      assert.equal('name' in result, false);
    });

    it("deletes a primitive's id and extensions with it", () => {
      const input = { ...patient(), _birthDate: { extension: [{ url: 'http://x', valueCode: 'day' }] } };
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('delete', 'Patient.birthDate')));
      assert.equal('birthDate' in result, false);
      assert.equal('_birthDate' in result, false);
    });

    it("deletes a primitive's last extension without leaving an empty _name object", () => {
      const input = { ...patient(), _birthDate: { extension: [{ url: 'http://x', valueCode: 'day' }] } };
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('delete', 'Patient.birthDate.extension'))) as Patient;
      assert.equal(result.birthDate, '1974-12-25');
      assert.equal('_birthDate' in result, false);
    });

    it('deletes a choice element (Observation.value finds valueQuantity)', () => {
      const result = patchObservation(operation('delete', 'Observation.value'));
      assert.equal('valueQuantity' in result, false);
    });

    it('does nothing, without error, when the path matches nothing', () => {
      const result = patchPatient(operation('delete', "Patient.identifier.where(system='http://nowhere')"), operation('delete', 'Patient.gender'));
      assert.deepEqual(result, patient());
    });

    it('is 422 when the path matches more than one element', () => {
      expectPatchError(
        () => patchPatient(operation('delete', 'Patient.identifier')),
        inapplicable(/^operation 0: delete at 'Patient.identifier': the path matches 2 elements; delete removes only one/, 'Patient.identifier')
      );
    });
  });

  describe('replace', () => {
    it('replaces a primitive', () => {
      assert.equal(patchPatient(operation('replace', 'Patient.birthDate', value({ valueDate: '1930-01-01' }))).birthDate, '1930-01-01');
    });

    it('replaces a primitive in a list, selected by index', () => {
      const result = patchPatient(operation('replace', 'Patient.name[0].given[1]', value({ valueString: 'Jim' })));
      assert.deepEqual(result.name![0].given, ['Peter', 'Jim']);
    });

    it('replaces a complex element whole', () => {
      const result = patchPatient(operation('replace', 'Patient.name[0]', value({ valueHumanName: { family: 'Windsor', use: 'official' } })));
      assert.deepEqual(result.name, [{ family: 'Windsor', use: 'official' }]);
    });

    it('replaces a choice element with a value of another type, changing its key', () => {
      const result = patchObservation(operation('replace', 'Observation.value', value({ valueString: 'heavy' })));
      assert.equal(result.valueString, 'heavy');
      assert.equal('valueQuantity' in result, false);
    });

    it('replaces inside a choice element', () => {
      const result = patchObservation(operation('replace', 'Observation.value.value', value({ valueDecimal: 71.5 })));
      assert.deepEqual(result.valueQuantity, { value: 71.5, unit: 'kg' });
    });

    it('replaces inside a contained resource', () => {
      const input: Patient = { ...patient(), contained: [{ resourceType: 'Organization', id: 'org', name: 'Old' }] };
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('replace', 'Patient.contained[0].name', value({ valueString: 'New' })))) as Patient;
      assert.deepEqual(result.contained, [{ resourceType: 'Organization', id: 'org', name: 'New' }]);
    });

    it('allows changes to meta', () => {
      const result = patchPatient(operation('replace', 'Patient.meta.versionId', value({ valueId: '9' })));
      assert.equal(result.meta?.versionId, '9');
    });

    it('is 422 when the path matches nothing, or more than one element', () => {
      expectPatchError(
        () => patchPatient(operation('replace', 'Patient.gender', value({ valueCode: 'male' }))),
        inapplicable(/^operation 0: replace at 'Patient.gender': the path matches nothing; replace needs exactly one element/, 'Patient.gender')
      );
      expectPatchError(
        () => patchPatient(operation('replace', 'Patient.name.given', value({ valueString: 'X' }))),
        inapplicable(/the path matches 2 elements/)
      );
    });

    it('is 422 for a value of the wrong type', () => {
      expectPatchError(
        () => patchPatient(operation('replace', 'Patient.name[0]', value({ valueAddress: { city: 'X' } }))),
        inapplicable(/the element is a HumanName, and the value is a Address/)
      );
    });

    it('is 422 when the path computes a value instead of selecting an element', () => {
      expectPatchError(
        () => patchPatient(operation('replace', 'Patient.name.family.upper()', value({ valueString: 'X' }))),
        inapplicable(/computes, not an element of the resource/)
      );
    });

    it('is 422 for the resource itself', () => {
      expectPatchError(
        () => patchPatient(operation('replace', 'Patient', value({ resource: { resourceType: 'Patient', id: 'p1' } }))),
        inapplicable(/cannot replace the resource itself/)
      );
    });
  });

  describe('move', () => {
    it('moves an item within a list (the spec example)', () => {
      const result = patchPatient(operation('move', 'Patient.identifier', source(1), destination(0)));
      assert.deepEqual(
        result.identifier!.map((i) => i.value),
        ['2', '1']
      );
    });

    it('moves forward as well as back', () => {
      const input = { ...patient(), name: [{ given: ['a', 'b', 'c', 'd'] }] };
      const result = applyFhirPathPatch(input, fhirPathPatch(operation('move', 'Patient.name[0].given', source(0), destination(2)))) as Patient;
      assert.deepEqual(result.name![0].given, ['b', 'c', 'a', 'd']);
    });

    it('is 422 for an index out of range, or a path that is not a list', () => {
      expectPatchError(
        () => patchPatient(operation('move', 'Patient.identifier', source(0), destination(2))),
        inapplicable(/destination 2 is out of range: the list has 2 items/)
      );
      expectPatchError(
        () => patchPatient(operation('move', 'Patient.identifier', source(5), destination(0))),
        inapplicable(/source 5 is out of range/)
      );
      expectPatchError(() => patchPatient(operation('move', 'Patient.birthDate', source(0), destination(0))), inapplicable(/does not select a list/));
    });
  });

  describe("paths through extension('url'), whose values the evaluator reports without a full path", () => {
    function withExtensions(): Patient {
      return {
        ...patient(),
        extension: [
          { url: 'http://example.org/a', valueString: 'same' },
          { url: 'http://example.org/b', valueString: 'same' },
        ],
        _birthDate: { extension: [{ url: 'http://example.org/precision', valueCode: 'day' }] },
      } as Patient;
    }

    it('replaces the value of the extension with that url, and only that one', () => {
      const result = applyFhirPathPatch(
        withExtensions(),
        fhirPathPatch(operation('replace', "Patient.extension('http://example.org/b').value", value({ valueString: 'changed' })))
      ) as Patient;
      assert.deepEqual(result.extension, [
        { url: 'http://example.org/a', valueString: 'same' },
        { url: 'http://example.org/b', valueString: 'changed' },
      ]);
    });

    it('deletes the extension with that url', () => {
      const result = applyFhirPathPatch(withExtensions(), fhirPathPatch(operation('delete', "Patient.extension('http://example.org/a')"))) as Patient;
      assert.deepEqual(result.extension, [{ url: 'http://example.org/b', valueString: 'same' }]);
    });

    it("does not take the extension's relative path 'value' for the resource's own value[x]", () => {
      const input: Observation = { ...observation(), valueString: 'same', extension: [{ url: 'http://example.org/a', valueString: 'same' }] };
      delete input.valueQuantity;
      const result = applyFhirPathPatch(
        input,
        fhirPathPatch(operation('replace', "Observation.extension('http://example.org/a').value", value({ valueString: 'changed' })))
      ) as Observation;
      assert.equal(result.valueString, 'same');
      assert.deepEqual(result.extension, [{ url: 'http://example.org/a', valueString: 'changed' }]);
    });

    it('finds each item of a list reached from %resource', () => {
      const result = patchPatient(operation('insert', '%resource.name[0].given', value({ valueString: 'Middle' }), index(1)));
      assert.deepEqual(result.name![0].given, ['Peter', 'Middle', 'James']);
    });

    it('replaces the value of an extension on a primitive, inside its _name object', () => {
      const result = applyFhirPathPatch(
        withExtensions(),
        fhirPathPatch(operation('replace', "Patient.birthDate.extension('http://example.org/precision').value", value({ valueCode: 'month' })))
      );
      assert.deepEqual(members(result)._birthDate, { extension: [{ url: 'http://example.org/precision', valueCode: 'month' }] });
    });
  });

  describe('values given as parts', () => {
    it('builds a BackboneElement from parts, with repeating children as arrays', () => {
      const result = patchPatient(
        operation(
          'add',
          'Patient',
          name('contact'),
          value({
            part: [
              { name: 'relationship', valueCodeableConcept: { text: 'next of kin' } },
              { name: 'name', valueHumanName: { family: 'Chalmers' } },
              { name: 'telecom', valueContactPoint: { system: 'phone', value: '1' } },
              { name: 'telecom', valueContactPoint: { system: 'email', value: 'a@b.c' } },
            ],
          })
        )
      );
      assert.deepEqual(result.contact, [
        {
          relationship: [{ text: 'next of kin' }],
          name: { family: 'Chalmers' },
          telecom: [
            { system: 'phone', value: '1' },
            { system: 'email', value: 'a@b.c' },
          ],
        },
      ]);
    });

    it('nests parts for children that are themselves complex', () => {
      const result = patchPatient(
        operation(
          'add',
          'Patient',
          name('contact'),
          value({
            part: [
              { name: 'name', part: [{ name: 'family', valueString: 'Doe' }, { name: 'given', valueString: 'Jane' }] },
              { name: 'period', part: [{ name: 'start', valueDateTime: '2020-01-01' }] },
            ],
          })
        )
      );
      assert.deepEqual(result.contact, [{ name: { family: 'Doe', given: ['Jane'] }, period: { start: '2020-01-01' } }]);
    });

    it('replaces an element with parts, and types a choice child by its value[x]', () => {
      const input: Observation = { ...observation(), component: [{ code: { text: 'old' } }] };
      const result = applyFhirPathPatch(
        input,
        fhirPathPatch(
          operation('replace', 'Observation.component[0]', value({ part: [{ name: 'code', valueCodeableConcept: { text: 'new' } }, { name: 'value', valueInteger: 3 }] }))
        )
      ) as Observation;
      assert.deepEqual(result.component, [{ code: { text: 'new' }, valueInteger: 3 }]);
    });

    it('is 422 for a child the type does not have, or a non-repeating child given twice', () => {
      expectPatchError(
        () => patchPatient(operation('add', 'Patient', name('contact'), value({ part: [{ name: 'nickname', valueString: 'x' }] }))),
        inapplicable(/PatientContact has no element 'nickname'/)
      );
      expectPatchError(
        () =>
          patchPatient(
            operation('add', 'Patient', name('contact'), value({ part: [{ name: 'gender', valueCode: 'male' }, { name: 'gender', valueCode: 'female' }] }))
          ),
        inapplicable(/PatientContact.gender does not repeat/)
      );
    });
  });

  it('applies operations in order, each seeing the result of the ones before', () => {
    const result = patchPatient(
      operation('add', 'Patient', name('name'), value({ valueHumanName: { family: 'Second' } })),
      operation('move', 'Patient.name', source(1), destination(0)),
      operation('delete', "Patient.name.where(family='Chalmers')")
    );
    assert.deepEqual(result.name, [{ family: 'Second' }]);
  });

  it('returns an equal copy for a patch without operations', () => {
    const input = patient();
    const result = applyFhirPathPatch(input, { resourceType: 'Parameters' });
    assert.deepEqual(result, input);
    assert.notEqual(result, input);
  });

  it('never mutates its input nor shares objects with it or with the patch', () => {
    const input = patient();
    const address = { city: 'Leiden' };
    const result = applyFhirPathPatch(
      input,
      fhirPathPatch(
        operation('replace', 'Patient.name[0].family', value({ valueString: 'Changed' })),
        operation('add', 'Patient', name('address'), value({ valueAddress: address }))
      )
    ) as Patient;
    assert.deepEqual(input, patient());
    assert.notEqual(result.identifier, input.identifier);
    assert.notEqual(result.address![0], address);
    expectPatchError(
      () => applyFhirPathPatch(input, fhirPathPatch(operation('delete', 'Patient.birthDate'), operation('replace', 'Patient.gender', value({ valueCode: 'male' })))),
      inapplicable(/^operation 1:/)
    );
    assert.deepEqual(input, patient());
  });

  describe('a patch cannot change which resource this is (422)', () => {
    const cases: [string, Part, RegExp][] = [
      ['replace of id', operation('replace', 'Patient.id', value({ valueId: 'p2' })), /cannot change the id \(from 'p1' to 'p2'\)/],
      ['delete of id', operation('delete', 'Patient.id'), /cannot change the id/],
      ['delete of the resource', operation('delete', 'Patient'), /cannot delete the resource itself/],
    ];
    for (const [label, op, text] of cases) {
      it(label, () => expectPatchError(() => patchPatient(op), inapplicable(text)));
    }
  });

  it('is 422 when the path cannot be evaluated', () => {
    expectPatchError(
      () => patchPatient(operation('delete', 'Patient.name.noSuchFunction()')),
      inapplicable(/the path could not be evaluated: .*noSuchFunction/)
    );
  });

  describe('a malformed patch is 400, naming the operation', () => {
    const good = operation('delete', 'Patient.gender');
    const cases: [string, unknown, RegExp, string?][] = [
      ['a resource other than Parameters', { resourceType: 'Patient' }, /must be a Parameters resource/],
      ['a JSON Patch array', [{ op: 'remove', path: '/gender' }], /must be a Parameters resource/],
      ['parameter that is not an array', { resourceType: 'Parameters', parameter: {} }, /parameter must be an array/],
      ['a parameter not named operation', fhirPathPatch(good, { name: 'op', part: [] }), /^operation 1: .*named 'operation'/, 'Parameters.parameter[1]'],
      ['an operation without parts', fhirPathPatch({ name: 'operation' }), /^operation 0: the operation has no parts/],
      ['a part without a name', fhirPathPatch({ name: 'operation', part: [{ valueCode: 'delete' }] }), /each part must be an object with a name/],
      ['no type', fhirPathPatch({ name: 'operation', part: [{ name: 'path', valueString: 'Patient.gender' }] }), /no 'type' part/],
      ['an unknown type', fhirPathPatch(operation('remove', 'Patient.gender')), /one of add, insert, delete, replace, move; it is "remove"/, 'Parameters.parameter[0].part[0]'],
      [
        'a type given as valueString',
        fhirPathPatch({ name: 'operation', part: [{ name: 'type', valueString: 'delete' }, { name: 'path', valueString: 'Patient.gender' }] }),
        /'type' part must be a valueCode/,
      ],
      ['no path', fhirPathPatch({ name: 'operation', part: [{ name: 'type', valueCode: 'delete' }] }), /no 'path' part/],
      ['a FHIRPath syntax error', fhirPathPatch(operation('delete', 'Patient.name.where(')), /the path 'Patient.name.where\(' is not valid FHIRPath/, 'Parameters.parameter[0].part[1]'],
      ['add without name', fhirPathPatch(operation('add', 'Patient', value({ valueDate: '2000-01-01' }))), /no 'name' part/],
      ['add without value', fhirPathPatch(operation('add', 'Patient', name('birthDate'))), /no 'value' part/],
      ['replace without value', fhirPathPatch(operation('replace', 'Patient.birthDate')), /no 'value' part/],
      ['insert without index', fhirPathPatch(operation('insert', 'Patient.name', value({ valueHumanName: {} }))), /no 'index' part/],
      ['a negative index', fhirPathPatch(operation('insert', 'Patient.name', value({ valueHumanName: {} }), index(-1))), /'index' part must have a valueInteger of 0 or more/],
      ['move without destination', fhirPathPatch(operation('move', 'Patient.name', source(0))), /no 'destination' part/],
      ['a part the type does not take', fhirPathPatch(operation('delete', 'Patient.gender', index(0))), /a 'delete' operation takes no 'index' part/],
      ['a part given twice', fhirPathPatch(operation('delete', 'Patient.gender', { name: 'path', valueString: 'Patient.id' })), /'path' is given more than once/],
      ['a value with two value[x]', fhirPathPatch(operation('replace', 'Patient.gender', value({ valueCode: 'male', valueString: 'male' }))), /exactly one of value\[x\], resource or part \(it has valueCode, valueString\)/],
      ['a value with no value[x]', fhirPathPatch(operation('replace', 'Patient.gender', value({}))), /exactly one of value\[x\], resource or part/],
      ['a value[x] of no R4 type', fhirPathPatch(operation('replace', 'Patient.gender', value({ valueColour: 'red' }))), /'valueColour' is not a value\[x\] of an R4 data type/],
      ['a primitive value that is an object', fhirPathPatch(operation('replace', 'Patient.gender', value({ valueCode: { code: 'male' } }))), /valueCode must be a JSON string, number or boolean/],
      ['a complex value that is a string', fhirPathPatch(operation('replace', 'Patient.name[0]', value({ valueHumanName: 'Peter' }))), /valueHumanName must be a JSON object/],
      ['a nested part without a name', fhirPathPatch(operation('add', 'Patient', name('contact'), value({ part: [{ valueString: 'x' }] }))), /part\[0\] must be an object with a name/],
      ['a nested part without a value', fhirPathPatch(operation('add', 'Patient', name('contact'), value({ part: [{ name: 'gender' }] }))), /part\[0\] must have exactly one of value\[x\], resource or part/],
    ];
    for (const [label, document, text, expression] of cases) {
      it(label, () => expectPatchError(() => applyFhirPathPatch(patient(), document), malformed(text, expression)));
    }

    it('is found before anything is applied: a bad later operation wins over a failing earlier one', () => {
      expectPatchError(
        () => applyFhirPathPatch(patient(), fhirPathPatch(operation('replace', 'Patient.gender', value({ valueCode: 'male' })), operation('nope', 'Patient'))),
        malformed(/^operation 1:/)
      );
    });
  });

  it('leaves resources it is not given alone: the result is a Resource of the same type', () => {
    const result: Resource = patchObservation(operation('replace', 'Observation.status', value({ valueCode: 'amended' })));
    assert.equal(result.resourceType, 'Observation');
    assert.equal((result as Observation).status, 'amended');
  });
});
