// The part of a restriction a query consults (server/fhir/pipeline/narrowed-restriction.ts): the types a
// search reaches keep their filters, an unrestricted type stays visible, and every other type is hidden.
import { strict as assert } from 'node:assert';
import { narrowedTo, restrictionForHistory, restrictionForSearch } from '../../../server/fhir/pipeline/narrowed-restriction';
import type { Filter, ResultRestriction, SearchPlan } from '../../../server/search/plan';

const population: Filter = { kind: 'id', ids: ['p1'] };
const restriction: ResultRestriction = {
  byType: { Patient: [population], Observation: [population], Encounter: [population] },
  otherTypes: 'all',
};

function plan(filters: Filter[], include: SearchPlan['include'] = []): SearchPlan {
  return { resourceType: 'Observation', filters, sort: [], count: 10, total: 'none', include, revInclude: [] };
}

describe('narrowed restrictions', () => {
  it('keeps the searched type, chain targets and _has sources, at any depth, and hides the rest', () => {
    const chain: Filter = {
      kind: 'chain',
      param: { resourceType: 'Observation', code: 'subject', kind: 'reference' },
      targetTypes: ['Patient'],
      filters: [{ kind: 'has', referenceParam: { resourceType: 'Provenance', code: 'target', kind: 'reference' }, filters: [] }],
    };
    const narrowed = restrictionForSearch(plan([{ kind: 'anyOf', filters: [chain] }]), restriction);
    assert.deepEqual(narrowed, { byType: { Observation: [population], Patient: [population], Provenance: [] }, otherTypes: 'none' });
  });

  it('hides an unlisted type when the whole restriction hid it too', () => {
    assert.deepEqual(narrowedTo({ byType: {}, otherTypes: 'none' }, new Set(['Observation'])), { byType: {}, otherTypes: 'none' });
  });

  it('keeps the whole restriction for _include and for system history, and one type for a type history', () => {
    assert.equal(restrictionForSearch(plan([], [{ sourceType: 'Observation', codes: ['subject'], iterate: false }]), restriction), restriction);
    assert.equal(restrictionForHistory({ count: 10 }, restriction), restriction);
    assert.deepEqual(restrictionForHistory({ resourceType: 'Encounter', count: 10 }, restriction), { byType: { Encounter: [population] }, otherTypes: 'none' });
  });

  it('builds one object per restriction and types, so that repeated queries share it', () => {
    assert.equal(narrowedTo(restriction, new Set(['Patient', 'Encounter'])), narrowedTo(restriction, new Set(['Encounter', 'Patient'])));
  });
});
