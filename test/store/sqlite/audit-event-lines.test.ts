// The batch the server hands to the audit writer thread (server/audit/audit-worker-writer.ts), as the SQLite
// store keeps it (server/store/sqlite/audit-event-table.ts): one line of
// JSON per event, each event remembering its line, so that the writer stores the line with only `meta` put
// in (storedEventText, server/store/sqlite/audit-event-table.ts) instead of serializing the event again.
// What is stored must be exactly what serializing the event with its meta gives, and chain as before.
import type { AuditEvent, Observation } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { storeWriter } from '../../../server/audit/audit-trail';
import { eventTexts, parseEventLines } from '../../../server/audit/audit-worker-writer';
import { versionHash } from '../../../server/audit/chain-hash';
import { auditEventOf, isPreparedEvent, parsePreparedLine } from '../../../server/audit/prepared-event';
import { authEvent } from '../../../server/audit/events-auth';
import { restEvents } from '../../../server/audit/events-rest';
import type { HookCall } from '../../../server/fhir/pipeline/hooks';
import type { FhirContext } from '../../../server/fhir/request';
import { loadResourceDefinitions } from '../../../server/fhir/resource-definitions';
import { stringifyKeepingNumbers } from '../../../server/json/number-text';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../../server/store/adapters';
import { storedEventText } from '../../../server/store/sqlite/audit-event-table';
import { registerAuditText } from '../../../server/store/sqlite/audit-packed-text';
import { withMeta } from '../../../server/store/versioning';
import { clinicianCaller } from '../../helpers/fixtures';

const base = 'https://fhir.example.org';
const caller = clinicianCaller;

/** The events of a search whose page holds two patients' Observations (one event per patient), a read and a sign-in. */
function typicalEvents(): AuditEvent[] {
  const observation = (id: string, patient: string): Observation => ({
    resourceType: 'Observation',
    id,
    meta: { versionId: '1' },
    status: 'final',
    code: { text: 'line\nbreak "quoted" 血压' },
    subject: { reference: `Patient/${patient}` },
  });
  const search = {
    request: { method: 'GET', path: 'Observation', query: new URLSearchParams('code=8480-6&_count=2'), headers: {}, caller },
    interaction: { code: 'search-type', resourceType: 'Observation' },
    caller,
    context: {} as FhirContext,
  } as unknown as HookCall;
  const page = [observation('o1', 'p1'), observation('o2', 'p2')];
  const read = { ...search, request: { ...search.request, path: 'Observation/o1', query: new URLSearchParams() }, interaction: { code: 'read', resourceType: 'Observation', id: 'o1' } } as HookCall;
  return [
    ...restEvents(search, { response: { status: 200, body: { resourceType: 'Bundle', type: 'searchset' } }, resources: page }, base),
    ...restEvents(read, { response: { status: 200, body: page[0] }, resources: [page[0]] }, base),
    authEvent({ kind: 'login', success: false, account: 'dr-1', sourceAddress: '10.20.30.40', reason: 'invalid_grant' }, base),
  ];
}

describe('the audit writer’s batches', () => {
  before(() => loadResourceDefinitions());

  it('are one line per event, and each event read back is the event sent', () => {
    const events = typicalEvents();
    assert.equal(events.length, 4, 'one event per patient of the search page, the read, the sign-in');
    const texts = eventTexts(events);
    assert.equal(texts.length, 1, 'a batch this small goes as one text');
    const [text] = texts;
    assert.equal(text.split('\n').length, events.length, 'a line break inside a value never splits an event');
    assert.deepEqual(parseEventLines(text).map(auditEventOf), events);
    assert.ok(parseEventLines(text).every(isPreparedEvent), 'each sent with its search entries');
  });

  it('store each event as the text serializing it with its meta gives, with meta right after the id', () => {
    const stored = (event: AuditEvent): AuditEvent => withMeta(event, '1', '2026-12-06T23:50:00.123Z');
    // An event sent as its JSON line alone (one with a meta of its own is: prepared-event.ts).
    const parsedLine = (event: AuditEvent): AuditEvent => parsePreparedLine(JSON.stringify(event)) as AuditEvent;
    for (const event of typicalEvents().map(parsedLine)) {
      const text = storedEventText(event, stored(event));
      assert.equal(text, stringifyKeepingNumbers(stored(event)));
      assert.match(text as string, /^\{"resourceType":"AuditEvent","id":"[^"]+","meta":\{"versionId":"1","lastUpdated":"2026-12-06T23:50:00.123Z"\},"type":/);
    }
    // Serialized again where there is no line (an event built on this thread) or the event has a meta of its own.
    const [event] = typicalEvents();
    assert.equal(storedEventText(event, stored(event)), undefined);
    const [imported] = eventTexts([{ ...event, meta: { source: 'Organization/clinic-12' } }]).flatMap(parseEventLines) as AuditEvent[];
    assert.equal(storedEventText(imported, stored(imported)), undefined);
  });

  it('are stored as those texts, read back as sent and hashed over the stored text', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-lines-'));
    const file = path.join(dir, 'fhir.sqlite');
    const store = openSqliteStore({ file, synchronous: 'NORMAL', indexer: createResourceIndexer(new SearchParameterRegistry()), readThreads: 0 });
    try {
      const events = typicalEvents();
      await storeWriter(store)(eventTexts(events).flatMap(parseEventLines));
      const db = new DatabaseSync(file);
      // Stored packed (audit-packed-text.ts): read as the server reads it.
      registerAuditText(db);
      const rows = db.prepare('SELECT id, last_updated, audit_text(content) AS content, hash FROM audit_events ORDER BY seq').all() as { id: string; last_updated: number; content: string; hash: string }[];
      db.close();
      assert.deepEqual(rows.map((r) => r.id), events.map((e) => e.id));
      for (const [i, row] of rows.entries()) {
        const withVersion = withMeta(events[i], '1', new Date(row.last_updated).toISOString());
        assert.equal(row.content, stringifyKeepingNumbers(withVersion));
        assert.equal(row.hash, versionHash(null, { resourceType: 'AuditEvent', id: row.id, versionId: 1, lastUpdated: row.last_updated, deleted: false, author: null, content: row.content }));
        assert.deepEqual((await store.readCurrent('AuditEvent', row.id))?.resource, withVersion);
      }
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
