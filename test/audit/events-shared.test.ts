// AuditEvent ids (server/audit/events-shared.ts): UUIDs of version 7 whose order is their time's, so that
// the store's id index appends (docs/audit.md, "Storage").
import assert from 'node:assert/strict';
import { auditEventId } from '../../server/audit/events-shared';

const version7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('AuditEvent ids', () => {
  it('are RFC 9562 version 7 UUIDs carrying the time in ms, valid FHIR ids, never repeated', () => {
    const now = Date.UTC(2026, 11, 6, 20, 45, 0, 123);
    const ids = Array.from({ length: 2000 }, () => auditEventId(now));
    for (const id of ids) {
      assert.match(id, version7);
      assert.match(id, /^[A-Za-z0-9\-.]{1,64}$/);
      assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), now);
    }
    assert.equal(new Set(ids).size, ids.length);
  });

  it('sort in the order of their times, so that new ones go at the end of the id index', () => {
    const times = [Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 1) + 1, Date.UTC(2026, 11, 6, 20), Date.UTC(2027, 5, 1)];
    const ids = times.map((t) => auditEventId(t));
    assert.deepEqual([...ids].sort(), ids);
  });
});
