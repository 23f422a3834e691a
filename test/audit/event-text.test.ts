// The packing of a text written from a template (server/audit/event-text.ts): stretches packed once with
// values spliced between them pack as packAuditText's scan of the whole text, for every value the border
// rules let through (audit-packed-text.ts, packedTemplate). The generated stretches and values are cut
// from the packing table's own entries, so that entries run across the borders in every way: into a
// value, out of one, and across a whole one.
import fc from 'fast-check';
import assert from 'node:assert/strict';
import { auditPackingTable, packAuditText, packedTemplate, spliceable, spliceableValue } from '../../server/store/sqlite/audit-packed-text';

/** A piece of an entry between two cut points. */
const entryPiece = fc.tuple(fc.constantFrom(...auditPackingTable), fc.nat(), fc.nat()).map(([entry, a, b]) => {
  const [from, to] = [a % (entry.length + 1), b % (entry.length + 1)].sort((x, y) => x - y);
  return entry.slice(from, to);
});
const stretch = fc.array(fc.oneof(entryPiece, fc.constantFrom('"', '",', '}', ',"x":"', '')), { minLength: 1, maxLength: 3 }).map((pieces) => pieces.join(''));
/** Values as a client may send them: pieces of entries (with what a value cannot hold taken out) and plain text. */
const value = fc.oneof(
  entryPiece.map((piece) => piece.replace(/["\\,]/g, '')),
  fc.constantFrom('FHIR server', 'PractitionerRole/', 'http://hl7.org/fhir/restful-interaction', 'null', 'x/auth/clients', 'Patient'),
  fc.stringMatching(/^[A-Za-z0-9 ._:/@+=%-]{1,8}$/)
);

describe('a template’s packed text', () => {
  it('is what packing the whole text gives, for every value its borders let through', () => {
    let spliced = 0;
    fc.assert(
      fc.property(fc.array(stretch, { minLength: 2, maxLength: 4 }), fc.array(value, { minLength: 3, maxLength: 3 }), (stretches, values) => {
        const template = packedTemplate(stretches);
        const used = values.slice(0, stretches.length - 1);
        if (!used.every((v, slot) => spliceable(template, slot, v))) {
          return;
        }
        spliced++;
        const join = (parts: readonly string[]): string => parts.map((part, i) => (i < used.length ? part + used[i] : part)).join('');
        assert.equal(join(template.packed), packAuditText(join(stretches)));
      }),
      { numRuns: 3000 }
    );
    assert.ok(spliced > 500, `${spliced} templates filled`);
  });

  it('is what packing the whole text gives when an entry is cut between a stretch and a value', () => {
    // The stretch ends inside an entry and the value goes on with the entry's rest, or ends with its
    // beginning before a stretch that holds the rest: the borders' rules are what keeps these apart.
    const cut = fc.tuple(fc.constantFrom(...auditPackingTable), fc.nat(), fc.constantFrom('', 'x', '12', 'FHIR server')).chain(([entry, at, extra]) => {
      const k = 1 + (at % (entry.length - 1));
      return fc.constantFrom<[string[], string]>(
        [[entry.slice(0, k), '"}'], entry.slice(k) + extra],
        [['"a":"', entry.slice(k)], extra + entry.slice(0, k)]
      );
    });
    // Most of these are refused (the property then holds trivially); each rule taken out lets some through
    // that pack otherwise, and this fails.
    fc.assert(
      fc.property(cut, ([stretches, v]) => {
        const template = packedTemplate(stretches);
        if (spliceable(template, 0, v)) {
          assert.equal(template.packed[0] + v + template.packed[1], packAuditText(stretches[0] + v + stretches[1]));
        }
      }),
      { numRuns: 3000 }
    );
  });

  it('refuses values JSON.stringify would escape, and those that could hold an entry', () => {
    for (const refused of ['', 'a"b', 'a\\b', 'a,b', 'line\nbreak', '\ud800', 'marker\ue000']) {
      assert.equal(spliceableValue.test(refused), false, JSON.stringify(refused));
    }
    for (const taken of ['dr.wang', '血压', 'clinic-12@example.org', '10.20.30.40']) {
      assert.equal(spliceableValue.test(taken), true, taken);
    }
  });
});
