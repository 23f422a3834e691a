// The stored form of AuditEvents' text columns (server/store/sqlite/audit-packed-text.ts): every JSON text
// reads back as itself, a stored code keeps its meaning, a typical event's row is about a third of its
// JSON, and every reader of the table (reads, searches on the entries, history, the chains) sees the JSON.
import type { AuditEvent } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import fc from 'fast-check';
import { storeWriter } from '../../../server/audit/audit-trail';
import { eventTexts, parseEventLines } from '../../../server/audit/audit-worker-writer';
import { restEvents } from '../../../server/audit/events-rest';
import type { HookCall } from '../../../server/fhir/pipeline/hooks';
import type { FhirContext } from '../../../server/fhir/request';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../../server/store/adapters';
import { packAuditText, unpackAuditText } from '../../../server/store/sqlite/audit-packed-text';
import type { SearchPlan } from '../../../server/search/plan';
import { clinicianCaller } from '../../helpers/fixtures';
import { testRegistry, testSearchPlan } from '../../helpers/test-server';

const base = 'https://fhir.example.org';
const planOf = (resourceType: string, query: string): SearchPlan =>
  testSearchPlan(resourceType, query, 10);
const caller = clinicianCaller;

function readEvent(patient: string): AuditEvent {
  const call = {
    request: { method: 'GET', path: `Observation/${patient}-bp`, query: new URLSearchParams(), headers: {}, caller },
    interaction: { code: 'read', resourceType: 'Observation', id: `${patient}-bp` },
    caller,
    context: {} as FhirContext,
  } as unknown as HookCall;
  const observation = { resourceType: 'Observation', id: `${patient}-bp`, meta: { versionId: '1' }, status: 'final', code: {}, subject: { reference: `Patient/${patient}` } } as const;
  return restEvents(call, { response: { status: 200, body: observation as never }, resources: [observation as never] }, base)[0];
}

describe('AuditEvents’ stored text', () => {
  it('reads back as the JSON text it was made from, whatever the JSON', () => {
    const entryLike = fc.constantFrom('{"system":"http://dicom.nema.org/resources/ontology/DCM","code":"110153","display":"Source Role ID"}', '"requestor":true', 'null,null,null]', '"who":{"reference":"');
    fc.assert(
      fc.property(fc.jsonValue(), fc.array(fc.oneof(entryLike, fc.string())), (value, parts) => {
        for (const text of [JSON.stringify(value), JSON.stringify(parts.join('')), JSON.stringify(parts)]) {
          assert.equal(unpackAuditText(packAuditText(text)), text);
        }
      }),
      { numRuns: 300 }
    );
    assert.equal(unpackAuditText('{"resourceType":"AuditEvent","id":"x"}'), '{"resourceType":"AuditEvent","id":"x"}', 'a row written before is its own stored form');
  });

  it('keeps what each stored code means: the table only grows at its end', () => {
    assert.equal(packAuditText('{"system":"http://terminology.hl7.org/CodeSystem/audit-event-type","code":"rest","display":"Restful Operation"}'), '\u0001\u0100');
    assert.equal(packAuditText('{"system":"http://hl7.org/fhir/restful-interaction","code":"read","display":"read"}'), '\u0001\u0101');
    assert.equal(unpackAuditText('\u0001\u011d'), '{"resourceType":"AuditEvent","id":"');
    assert.equal(unpackAuditText('\u0001\u013f'), '"Patient","');
  });

  it('codes each entry as itself, entries of the same length too: every code reads back as what it replaced', () => {
    for (let n = 0; n < 64; n++) {
      const code = `\u0001${String.fromCharCode(0x100 + n)}`;
      const entry = unpackAuditText(code);
      assert.notEqual(entry, code, `entry ${n}`);
      assert.equal(packAuditText(entry), code, `entry ${n}: ${entry}`);
    }
  });

  it('refuses a text holding a raw U+0001, which could not read back as itself', () => {
    assert.throws(() => packAuditText('{"a":"\u0001\u0100"}'), /U\+0001/);
  });

  it('takes a typical event to about a third of its JSON', () => {
    const json = JSON.stringify(readEvent('p1'));
    assert.ok(Buffer.byteLength(packAuditText(json)) < Buffer.byteLength(json) * 0.35, `${Buffer.byteLength(packAuditText(json))} of ${Buffer.byteLength(json)} bytes`);
  });

  it('is what the table holds, and every reader sees the JSON: reads, searches on the entries, history, the chains', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-packed-'));
    const file = path.join(dir, 'fhir.sqlite');
    const store = openSqliteStore({ file, synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 1 });
    try {
      const events = [readEvent('p1'), readEvent('p2'), readEvent('p1')];
      await storeWriter(store)(eventTexts(events).flatMap(parseEventLines));
      const db = new DatabaseSync(file, { readOnly: true });
      const raw = db.prepare('SELECT content, tokens, refs, length(CAST(content AS BLOB)) + length(CAST(tokens AS BLOB)) + length(CAST(refs AS BLOB)) AS bytes FROM audit_events').all() as {
        content: string;
        tokens: string;
        refs: string;
        bytes: number;
      }[];
      db.close();
      for (const row of raw) {
        assert.ok(row.content.includes('\u0001') && row.tokens.includes('\u0001') && row.refs.includes('\u0001'), 'stored packed');
        assert.ok(row.bytes < 1000, `the text columns take ${row.bytes} bytes`);
      }
      const read = await store.readCurrent('AuditEvent', events[0].id as string);
      assert.deepEqual({ ...read?.resource, meta: undefined }, { ...events[0], meta: undefined });
      // On a read thread (the pool), through the token and reference entries and the lookup of patient.
      const found = await store.search(planOf('AuditEvent', 'patient=Patient/p1&action=R&subtype=http://hl7.org/fhir/restful-interaction|read&agent:missing=false'));
      assert.deepEqual(found.resources.map((r) => r.id).sort(), [events[0].id, events[2].id].sort());
      assert.deepEqual(found.resources.map((r) => r.resource?.resourceType), ['AuditEvent', 'AuditEvent']);
      const history = await store.history({ resourceType: 'AuditEvent', count: 10 });
      assert.equal(history.versions.length, 3);
      assert.ok(history.versions.every((v) => v.resource?.resourceType === 'AuditEvent'));
      const chain = await store.chainRecords({ resourceType: 'AuditEvent', limit: 10 });
      assert.deepEqual(chain.map((c) => (c.content ? (JSON.parse(c.content) as AuditEvent).id : undefined)), events.map((e) => e.id));
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
