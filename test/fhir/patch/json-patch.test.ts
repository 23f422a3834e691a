import type { Observation, Patient } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import { applyJsonPatch } from '../../../server/fhir/patch/json-patch';
import { expectPatchError, inapplicable, malformed } from './expect-patch-error';

function patient(): Patient {
  return {
    resourceType: 'Patient',
    id: 'p1',
    meta: { versionId: '3' },
    active: true,
    name: [{ family: 'Chalmers', given: ['Peter', 'James'] }],
    birthDate: '1974-12-25',
  };
}

const patchPatient = (patch: unknown): Patient => applyJsonPatch(patient(), patch) as Patient;

describe('JSON Patch (RFC 6902)', () => {
  describe('add', () => {
    it('adds an object member', () => {
      assert.equal(patchPatient([{ op: 'add', path: '/gender', value: 'male' }]).gender, 'male');
    });

    it("appends to an array with '-'", () => {
      const result = patchPatient([{ op: 'add', path: '/name/0/given/-', value: 'Jim' }]);
      assert.deepEqual(result.name![0].given, ['Peter', 'James', 'Jim']);
    });

    it('inserts into an array before the index, and at the end when the index is the length', () => {
      const result = patchPatient([
        { op: 'add', path: '/name/0/given/1', value: 'Middle' },
        { op: 'add', path: '/name/0/given/3', value: 'Last' },
      ]);
      assert.deepEqual(result.name![0].given, ['Peter', 'Middle', 'James', 'Last']);
    });

    it('replaces a member that already exists (RFC 6902 section 4.1)', () => {
      assert.equal(patchPatient([{ op: 'add', path: '/birthDate', value: '1975-01-01' }]).birthDate, '1975-01-01');
    });

    it('adds a whole new array', () => {
      const result = patchPatient([{ op: 'add', path: '/telecom', value: [{ system: 'phone', value: '555' }] }]);
      assert.deepEqual(result.telecom, [{ system: 'phone', value: '555' }]);
    });
  });

  describe('remove', () => {
    it('removes an object member', () => {
      const result = patchPatient([{ op: 'remove', path: '/birthDate' }]);
      assert.equal('birthDate' in result, false);
    });

    it('removes an array item, shifting the rest', () => {
      const result = patchPatient([{ op: 'remove', path: '/name/0/given/0' }]);
      assert.deepEqual(result.name![0].given, ['James']);
    });
  });

  describe('replace', () => {
    it('replaces an object member', () => {
      assert.equal(patchPatient([{ op: 'replace', path: '/active', value: false }]).active, false);
    });

    it('replaces an array item', () => {
      const result = patchPatient([{ op: 'replace', path: '/name/0/given/1', value: 'Jim' }]);
      assert.deepEqual(result.name![0].given, ['Peter', 'Jim']);
    });

    it("replaces the whole document at '' when it stays the same resource", () => {
      const result = patchPatient([{ op: 'replace', path: '', value: { resourceType: 'Patient', id: 'p1', active: false } }]);
      assert.deepEqual(result, { resourceType: 'Patient', id: 'p1', active: false });
    });
  });

  describe('move', () => {
    it('moves a member to another name', () => {
      const result = patchPatient([{ op: 'move', from: '/name/0/given', path: '/name/0/prefix' }]);
      assert.deepEqual(result.name![0], { family: 'Chalmers', prefix: ['Peter', 'James'] });
    });

    it('moves an item within an array', () => {
      const result = patchPatient([{ op: 'move', from: '/name/0/given/0', path: '/name/0/given/1' }]);
      assert.deepEqual(result.name![0].given, ['James', 'Peter']);
    });
  });

  describe('copy', () => {
    it('copies a value, which does not share objects with its source', () => {
      const result = patchPatient([
        { op: 'copy', from: '/name/0', path: '/name/-' },
        { op: 'replace', path: '/name/1/family', value: 'Windsor' },
      ]);
      assert.deepEqual(
        result.name!.map((n) => n.family),
        ['Chalmers', 'Windsor']
      );
    });

    it('may copy from id, which only reads it', () => {
      const result = patchPatient([{ op: 'copy', from: '/id', path: '/meta/source' }]);
      assert.equal(result.meta?.source, 'p1');
      assert.equal(result.id, 'p1');
    });
  });

  describe('test', () => {
    it('lets the patch go on when the value is equal, objects compared by members not order', () => {
      const result = patchPatient([
        { op: 'test', path: '/name/0', value: { given: ['Peter', 'James'], family: 'Chalmers' } },
        { op: 'test', path: '/id', value: 'p1' },
        { op: 'replace', path: '/active', value: false },
      ]);
      assert.equal(result.active, false);
    });

    it('fails the whole patch with 422 when the value differs', () => {
      expectPatchError(
        () => patchPatient([{ op: 'replace', path: '/active', value: false }, { op: 'test', path: '/birthDate', value: '2000-01-01' }]),
        inapplicable(/^operation 1: test '\/birthDate': .*not the expected value/, 'Patient.birthDate')
      );
    });

    it('fails with 422 when the tested value does not exist, a null value being well formed', () => {
      expectPatchError(() => patchPatient([{ op: 'test', path: '/gender', value: null }]), inapplicable(/operation 0: .*'\/gender' does not exist/));
    });
  });

  it('applies operations in order, each seeing the result of the ones before', () => {
    const result = patchPatient([
      { op: 'add', path: '/name/-', value: { family: 'Second' } },
      { op: 'move', from: '/name/1', path: '/name/0' },
      { op: 'remove', path: '/name/1' },
    ]);
    assert.deepEqual(result.name, [{ family: 'Second' }]);
  });

  it('allows changes to meta', () => {
    const result = patchPatient([{ op: 'add', path: '/meta/tag', value: [{ code: 'reviewed' }] }]);
    assert.deepEqual(result.meta, { versionId: '3', tag: [{ code: 'reviewed' }] });
  });

  it('returns an equal copy for an empty patch', () => {
    const input = patient();
    const result = applyJsonPatch(input, []);
    assert.deepEqual(result, input);
    assert.notEqual(result, input);
  });

  it('never mutates its input, neither on success nor on failure, and shares no objects with it', () => {
    const input = patient();
    const result = applyJsonPatch(input, [
      { op: 'replace', path: '/name/0/family', value: 'Changed' },
      { op: 'add', path: '/name/0/given/-', value: 'More' },
    ]) as Patient;
    assert.deepEqual(input, patient());
    assert.notEqual(result.name, input.name);
    expectPatchError(
      () => applyJsonPatch(input, [{ op: 'remove', path: '/name' }, { op: 'remove', path: '/nothing' }]),
      inapplicable(/operation 1/)
    );
    assert.deepEqual(input, patient());
  });

  it('works on any resource type', () => {
    const observation: Observation = { resourceType: 'Observation', id: 'o1', status: 'preliminary', code: { text: 'x' } };
    const result = applyJsonPatch(observation, [{ op: 'replace', path: '/status', value: 'final' }]) as Observation;
    assert.equal(result.status, 'final');
  });

  describe('a malformed patch document is 400, naming the operation', () => {
    const cases: [string, unknown, RegExp][] = [
      ['an object instead of an array', { op: 'add', path: '/a', value: 1 }, /must be a JSON array/],
      ['null', null, /must be a JSON array/],
      ['an operation that is not an object', [{ op: 'test', path: '/id', value: 'p1' }, 'remove'], /^operation 1: .*must be a JSON object/],
      ['an operation that is an array', [[]], /^operation 0: .*must be a JSON object/],
      ['no op', [{ path: '/active', value: false }], /^operation 0: .*no 'op'/],
      ['an unknown op', [{ op: 'delete', path: '/active' }], /^operation 0: unknown op "delete"/],
      ['an op that is not a string', [{ op: 1, path: '/active' }], /^operation 0: unknown op 1/],
      ['no path', [{ op: 'remove' }], /^operation 0: .*no 'path'/],
      ['a path that is not a string', [{ op: 'remove', path: 3 }], /^operation 0: 'path' must be a string/],
      ['a path without a leading slash', [{ op: 'remove', path: 'active' }], /^operation 0: 'path' "active" is not a valid JSON Pointer/],
      ['a bad ~ escape', [{ op: 'remove', path: '/a~2b' }], /^operation 0: .*'~' must be followed by 0 or 1/],
      ['a prototype token', [{ op: 'add', path: '/__proto__/x', value: 1 }], /^operation 0: .*'__proto__' is not an element name/],
      ['add without value', [{ op: 'add', path: '/gender' }], /^operation 0: 'add' needs a 'value'/],
      ['replace without value', [{ op: 'replace', path: '/gender' }], /^operation 0: 'replace' needs a 'value'/],
      ['test without value', [{ op: 'test', path: '/gender' }], /^operation 0: 'test' needs a 'value'/],
      ['move without from', [{ op: 'move', path: '/gender' }], /^operation 0: .*no 'from'/],
      ['copy with a bad from', [{ op: 'copy', from: 'name', path: '/x' }], /^operation 0: 'from' "name" is not a valid JSON Pointer/],
    ];
    for (const [label, document, text] of cases) {
      it(label, () => expectPatchError(() => patchPatient(document), malformed(text)));
    }

    it('is found before anything is applied: a bad later operation wins over a failing earlier one', () => {
      expectPatchError(() => patchPatient([{ op: 'remove', path: '/nothing' }, { op: 'nope', path: '/a' }]), malformed(/^operation 1:/));
    });
  });

  describe('a patch that cannot be applied is 422, naming the operation and the path', () => {
    const cases: [string, unknown[], RegExp, string][] = [
      ['remove of a missing member', [{ op: 'remove', path: '/gender' }], /^operation 0: remove '\/gender': '\/gender' does not exist/, 'Patient.gender'],
      ['replace of a missing member', [{ op: 'replace', path: '/gender', value: 'male' }], /does not exist/, 'Patient.gender'],
      ['a path through a missing member', [{ op: 'add', path: '/contact/0/name', value: {} }], /'\/contact' does not exist/, 'Patient.contact[0].name'],
      ['replace beyond the end of an array', [{ op: 'replace', path: '/name/5', value: {} }], /index 5 is out of range: '\/name' has 1 item/, 'Patient.name[5]'],
      ['remove at the length of an array', [{ op: 'remove', path: '/name/0/given/2' }], /index 2 is out of range/, 'Patient.name[0].given[2]'],
      ['add beyond the length of an array', [{ op: 'add', path: '/name/2', value: {} }], /index 2 is out of range/, 'Patient.name[2]'],
      ["'-' where an existing item is needed", [{ op: 'remove', path: '/name/-' }], /'-' is not an index/, 'Patient.name'],
      ['a non-numeric array index', [{ op: 'replace', path: '/name/x', value: {} }], /'\/name' is an array, and 'x' is not an index/, 'Patient.name.x'],
      ['an array index with a leading zero', [{ op: 'replace', path: '/name/00', value: {} }], /'00' is not an index/, 'Patient.name.00'],
      ['a path into a string', [{ op: 'add', path: '/birthDate/year', value: 1974 }], /'\/birthDate' is not an object or an array/, 'Patient.birthDate.year'],
      ['a test that reads into a string', [{ op: 'test', path: '/birthDate/0', value: '1' }], /not an object or an array/, 'Patient.birthDate[0]'],
      ['a move into its own child', [{ op: 'move', from: '/name/0', path: '/name/0/x' }], /cannot be moved into one of its own children/, 'Patient.name[0].x'],
      [
        'a move whose destination is out of range once the source is removed',
        [{ op: 'move', from: '/name/0/given/0', path: '/name/0/given/2' }],
        /once '\/name\/0\/given\/0' is removed, index 2 is out of range/,
        'Patient.name[0].given[2]',
      ],
      ['a move from a missing member', [{ op: 'move', from: '/gender', path: '/x' }], /'\/gender' does not exist/, 'Patient.x'],
      ['remove of the whole document', [{ op: 'remove', path: '' }], /cannot remove the whole resource/, 'Patient'],
    ];
    for (const [label, document, text, expression] of cases) {
      it(label, () => expectPatchError(() => patchPatient(document), inapplicable(text, expression)));
    }
  });

  describe('a patch cannot change which resource this is (422)', () => {
    const cases: [string, unknown[], RegExp][] = [
      ['replace of id', [{ op: 'replace', path: '/id', value: 'p2' }], /^operation 0: replace '\/id': a patch cannot change 'id'/],
      ['remove of id', [{ op: 'remove', path: '/id' }], /cannot change 'id'/],
      ['add of id, even with the same value', [{ op: 'add', path: '/id', value: 'p1' }], /cannot change 'id'/],
      ['move from id', [{ op: 'move', from: '/id', path: '/identifier' }], /cannot change 'id'/],
      ['copy onto resourceType', [{ op: 'copy', from: '/id', path: '/resourceType' }], /cannot change 'resourceType'/],
      ['replace of resourceType', [{ op: 'replace', path: '/resourceType', value: 'Group' }], /cannot change 'resourceType'/],
      ['a whole-document replace with another id', [{ op: 'replace', path: '', value: { resourceType: 'Patient', id: 'p2' } }], /cannot change the id \(from 'p1' to 'p2'\)/],
      ['a whole-document replace with another type', [{ op: 'add', path: '', value: { resourceType: 'Group', id: 'p1' } }], /cannot change resourceType/],
      ['a result that is not a JSON object', [{ op: 'replace', path: '', value: ['not', 'a', 'resource'] }], /not a JSON object/],
    ];
    for (const [label, document, text] of cases) {
      it(label, () => expectPatchError(() => patchPatient(document), inapplicable(text)));
    }
  });
});
