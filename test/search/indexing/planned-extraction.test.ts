// A resource's extraction split around what the store sets (server/search/indexing/planned-extraction.ts):
// which parameters count as reading the store's fields, and that the part extracted from the resource
// as planned plus the part extracted from the stored version are the whole extraction of the stored version.
import type { Patient, Resource, SearchParameter } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { extractIndexEntries, type IndexEntries } from '../../../server/search/indexing/index-entries';
import { extractPlannedIndex, extractStoreSetEntries, mergeEntries, plannedText, readsStoreSetFields } from '../../../server/search/indexing/planned-extraction';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { withMeta } from '../../../server/store/versioning';

const parameter = (code: string, expression: string, type: SearchParameter['type'] = 'token'): SearchParameter =>
  ({ resourceType: 'SearchParameter', url: `http://fhir.test/SearchParameter/${code}`, name: code, status: 'active', code, base: ['Patient'], type, expression }) as SearchParameter;

const readers = [
  parameter('own-id', 'Patient.id'),
  parameter('version', 'Patient.meta.versionId'),
  parameter('updated', 'Patient.meta.lastUpdated', 'date'),
  parameter('whole-meta', 'Patient.meta'),
  parameter('via-resource', '%resource.id'),
  parameter('every-string', 'Patient.descendants().ofType(string)', 'string'),
];
const others = [parameter('own-tag', 'Patient.meta.tag'), parameter('family-code', 'Patient.name.family'), parameter('mrn', "Patient.identifier.where(system='http://fhir.test/mrn')")];

describe('index extraction split around what the store sets', () => {
  const registry = new SearchParameterRegistry([...readers, ...others]);
  const planOf = (code: string): ReturnType<SearchParameterRegistry['indexPlan']>[number] => {
    const found = registry.indexPlan('Patient').find((p) => p.def.code === code);
    assert.ok(found, code);
    return found;
  };

  it("counts as reading the store's fields every parameter that may read id, meta.versionId or meta.lastUpdated", () => {
    for (const { code } of readers) {
      assert.equal(readsStoreSetFields(planOf(code)), true, code);
    }
    for (const code of ['own-tag', 'family-code', 'mrn', '_tag', '_profile', '_security', '_source', 'name', 'identifier', 'birthdate', 'organization']) {
      assert.equal(readsStoreSetFields(planOf(code)), false, code);
    }
  });

  it('gives the same entries in two parts as in one, for any id and meta', () => {
    const text = fc.string({ minLength: 1, maxLength: 8 }).filter((s) => s.trim().length > 0);
    const patient = fc.record(
      {
        id: fc.stringMatching(/^[A-Za-z0-9]{1,12}$/),
        meta: fc.record(
          {
            versionId: fc.constantFrom('1', '7'),
            lastUpdated: fc.constantFrom('2020-01-01T00:00:00.000Z', '2026-12-07T05:00:00.123Z'),
            tag: fc.array(fc.record({ system: fc.constant('http://fhir.test/tags'), code: text }), { maxLength: 2 }),
            source: fc.constant('http://fhir.test/source'),
          },
          { requiredKeys: [] }
        ),
        gender: fc.constantFrom('female', 'male', 'other', 'unknown'),
        birthDate: fc.constantFrom('1970', '1985-03', '2001-12-31'),
        name: fc.array(fc.record({ family: text, given: fc.array(text, { maxLength: 2 }) }, { requiredKeys: [] }), { maxLength: 2 }),
        identifier: fc.array(fc.record({ system: fc.constantFrom('http://fhir.test/mrn', 'http://fhir.test/other'), value: text }), { maxLength: 2 }),
        active: fc.boolean(),
      },
      { requiredKeys: [] }
    );
    const sorted = (entries: IndexEntries): Record<string, string[]> =>
      Object.fromEntries(Object.entries(entries).map(([kind, list]) => [kind, (list as object[]).map((e) => JSON.stringify(e)).sort()]));
    fc.assert(
      fc.property(patient, fc.stringMatching(/^[A-Za-z0-9]{1,12}$/), fc.constantFrom('1', '2', '3'), (body, id, versionId) => {
        const planned = { resourceType: 'Patient', ...body } as Patient;
        // As a create stores it: the id chosen, meta.versionId and meta.lastUpdated set by the store.
        const resource = { ...planned, id };
        const stored = withMeta(resource, versionId, '2026-12-07T05:30:00.000Z');
        const index = extractPlannedIndex(planned, registry);
        assert.equal(index.text, plannedText(resource));
        // With the body's own text (the thread's verdict has it), the key is the same.
        assert.equal(extractPlannedIndex(planned, registry, JSON.stringify(planned)).text, plannedText(resource));
        const whole = extractIndexEntries(stored as Resource, registry);
        assert.deepEqual(sorted(mergeEntries(index.entries, extractStoreSetEntries(stored, registry))), sorted(whole));
      }),
      { numRuns: 200 }
    );
  });

  it('keys entries by the text without what the store sets', () => {
    const patient: Patient = { resourceType: 'Patient', meta: { tag: [{ code: 'a' }] }, gender: 'female' };
    assert.equal(plannedText({ ...patient, id: 'x', meta: { ...patient.meta, versionId: '3', lastUpdated: '2026-01-01T00:00:00Z' } }), plannedText(patient));
    assert.notEqual(plannedText({ ...patient, gender: 'male' }), plannedText(patient));
    assert.notEqual(plannedText({ ...patient, meta: { tag: [{ code: 'b' }] } }), plannedText(patient));
  });
});
