// The audit writer's prepared events (server/audit/prepared-event.ts, event-entries.ts): an event handed
// over as its text and the search entries built where it was built must be stored byte for byte as the
// generic path stores the event object (the indexer's FHIRPath over it, packing, meta, hashes, chain,
// lookup entries). A property over generated requests (reads, vreads, search pages about several
// patients, writes, refusals, failures, operations, Bundle entries, several kinds of caller, sign-ins)
// writes each batch both ways into two stores and compares every stored row and lookup entry.
import type { AuditEvent, Observation, Resource } from '@medplum/fhirtypes';
import fc from 'fast-check';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { storeWriter } from '../../server/audit/audit-trail';
import { eventTexts, parseEventLines } from '../../server/audit/audit-worker-writer';
import { auditEventEntriesText } from '../../server/audit/event-entries';
import { authEvent } from '../../server/audit/events-auth';
import { auditEventsOf, type AuditRecord } from '../../server/audit/audit-record';
import { unparsedTextOf } from '../../server/json/lazy-resource';
import { lazyStoredResource } from '../../server/json/stored-text';
import { restEvents, restEventsOf } from '../../server/audit/events-rest';
import { restEventFacts } from '../../server/audit/rest-event-facts';
import { auditEventOf, isPreparedEvent, plainPreparedLine, preparedLine, splicedLine } from '../../server/audit/prepared-event';
import type { Caller } from '../../server/fhir/pipeline/caller';
import type { HookCall, HookResult } from '../../server/fhir/pipeline/hooks';
import type { InteractionCode } from '../../server/fhir/pipeline/interaction';
import type { FhirContext } from '../../server/fhir/request';
import { loadResourceDefinitions } from '../../server/fhir/resource-definitions';
import { FhirError } from '../../server/outcomes';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../server/store/adapters';
import type { PreparedAuditEvent, ResourceStore } from '../../server/store/port';
import { withMeta } from '../../server/store/versioning';
import { testRegistry } from '../helpers/test-server';

const base = 'https://fhir.example.org/fhir';
const id = fc.stringMatching(/^[A-Za-z0-9\-.]{1,12}$/);
/** Free text as a client may send it: quotes, line breaks, escapes, Chinese, the packing table's own strings. */
const text = fc.oneof(
  fc.string({ maxLength: 16 }),
  fc.constantFrom('"quoted"\n', '血压 \\u0001', '"who":{"reference":"PractitionerRole/', 'null,null,null]', '/auth/clients","value":"'),
  // Plain text: the table's strings' parts without punctuation, which packing finds across a member's border.
  fc.constantFrom('FHIR server', 'FHIR', 'PractitionerRole/', 'x/auth/clients', 'Patient', 'null', 'dr.wang', 'clinic-12@example.org'),
  fc.stringMatching(/^[A-Za-z0-9 ._:/@+=%-]{0,12}$/)
);

const caller: fc.Arbitrary<Caller> = fc.record({
  kind: fc.constantFrom('user', 'client', 'anonymous'),
  user: fc.option(fc.oneof(id.map((i) => `PractitionerRole/${i}`), id.map((i) => `Patient/${i}`), id.map((i) => `Practitioner/${i}`)), { nil: undefined }),
  account: fc.option(text, { nil: undefined }),
  clientId: fc.option(text, { nil: undefined }),
  organizations: fc.constant([]),
  roles: fc.constant([]),
  scopes: fc.constant([]),
  sourceAddress: fc.option(fc.constantFrom('10.20.30.40', '::ffff:127.0.0.1', '2001:db8::1'), { nil: undefined }),
}) as fc.Arbitrary<Caller>;

const observation = (oid: string, patient: string, versionId: string): Observation => ({
  resourceType: 'Observation',
  id: oid,
  meta: { versionId },
  status: 'final',
  code: { text: 'blood pressure' },
  subject: { reference: `Patient/${patient}` },
});

/** One interaction and its result, as the audit hook sees it. */
const interaction = fc
  .record({
    code: fc.constantFrom<InteractionCode>('read', 'vread', 'search-type', 'search-compartment', 'history-instance', 'create', 'update', 'patch', 'delete', 'operation', 'batch', 'history-system'),
    type: fc.constantFrom('Patient', 'Observation'),
    id,
    versionId: fc.option(fc.integer({ min: 1, max: 9 }).map(String), { nil: undefined }),
    patients: fc.array(id, { maxLength: 4 }),
    status: fc.constantFrom(200, 201, 400, 403, 404, 409, 500, 503),
    query: fc.option(fc.constantFrom('code=8480-6&_count=2', 'patient=Patient/p1', 'name=%E7%8E%8B&_sort=-date'), { nil: undefined }),
    operation: fc.option(fc.constantFrom('validate', 'everything'), { nil: undefined }),
    entry: fc.option(fc.record({ bundleType: fc.constantFrom('batch', 'transaction'), index: fc.nat(50) }), { nil: undefined }),
    conditional: fc.boolean(),
    caller,
  })
  .map(({ code, type, id: rid, versionId, patients, status, query, operation, entry, conditional, caller: who }): [HookCall, HookResult] => {
    const resources: Resource[] =
      type === 'Patient' ? patients.map((p) => ({ resourceType: 'Patient', id: p, meta: { versionId: versionId ?? '1' } })) : patients.map((p, i) => observation(`${rid}-${i}`, p, versionId ?? '1'));
    const call = {
      request: { method: 'GET', path: `${type}/${rid}`, query: new URLSearchParams(query ?? ''), headers: {}, caller: who, body: code === 'create' || code === 'update' ? resources[0] : undefined },
      interaction: {
        code,
        resourceType: type,
        ...(code.startsWith('search') || code === 'history-system' ? {} : { id: rid }),
        ...(code === 'vread' ? { versionId: versionId ?? '1' } : {}),
        ...(code === 'operation' && operation ? { operation } : {}),
        ...(code === 'search-compartment' ? { compartment: { resourceType: 'Patient', id: patients[0] ?? rid } } : {}),
        ...(conditional ? { conditional } : {}),
      },
      caller: who,
      context: {} as FhirContext,
      ...(entry ? { entry } : {}),
    } as HookCall;
    if (status >= 400) {
      return [call, { error: new FhirError(status, [{ severity: 'error', code: status === 403 ? 'forbidden' : 'processing' }]), resources: [] }];
    }
    const body = code.startsWith('search') ? { resourceType: 'Bundle' as const, type: 'searchset' as const } : resources[0];
    return [call, { response: { status, ...(body ? { body } : {}) }, resources }];
  });

const signIn = fc
  .record({ kind: fc.constantFrom<'login' | 'token' | 'bearer'>('login', 'token', 'bearer'), success: fc.boolean(), account: fc.option(text, { nil: undefined }), clientId: fc.option(text, { nil: undefined }), reason: fc.option(fc.constantFrom('invalid_grant', '401'), { nil: undefined }) })
  .map((event) => authEvent({ ...event, sourceAddress: '10.0.0.1' }, base));

const batch = fc.array(fc.oneof({ weight: 5, arbitrary: interaction.map(([call, result]) => restEvents(call, result, base)) }, { weight: 1, arbitrary: signIn.map((e) => [e]) }), { minLength: 1, maxLength: 12 }).map((groups) => groups.flat());

/** What the audit hook records: an interaction's facts (some about a page of patients), or a sign-in's event. */
const records = fc
  .array(
    fc.oneof(
      {
        weight: 5,
        arbitrary: fc.tuple(interaction, fc.integer({ min: 0, max: 22 })).map(([[call, result], extra]): AuditRecord => {
          const more = Array.from({ length: extra }, (_, i): Resource => ({ resourceType: 'Patient', id: `pat-${i * 41}`, meta: { versionId: '1' } }));
          return restEventFacts(call, { ...result, resources: [...result.resources, ...(result.response ? more : [])] }, base);
        }),
      },
      { weight: 1, arbitrary: signIn }
    ),
    { minLength: 1, maxLength: 10 }
  );

/** Every stored row and lookup entry of the audit tables, as stored (the packed form, not decoded). */
function storedTables(file: string): unknown {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return {
      rows: db.prepare('SELECT * FROM audit_events ORDER BY seq').all(),
      targets: db.prepare(`SELECT * FROM (SELECT * FROM audit_event_targets UNION ALL SELECT * FROM audit_event_recent_targets) ORDER BY param_id, target_id, target_type, seq`).all(),
      params: db.prepare("SELECT * FROM search_params WHERE resource_type = 'AuditEvent' ORDER BY param_id").all(),
    };
  } finally {
    db.close();
  }
}

describe('prepared AuditEvents', () => {
  let dir: string;
  const open = (name: string): ResourceStore =>
    openSqliteStore({ file: path.join(dir, name), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 0 });

  before(() => loadResourceDefinitions());
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-prepared-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('have the search entries the indexer extracts from the stored event', () => {
    const indexer = createResourceIndexer(testRegistry());
    fc.assert(
      fc.property(batch, (events) => {
        for (const event of events) {
          const entries = indexer(withMeta(event, '1', '2026-12-07T05:00:00.000Z'));
          assert.deepEqual(JSON.parse(auditEventEntriesText(event)), { tokens: entries.tokens, dates: entries.dates, references: entries.references });
        }
      }),
      { numRuns: 200 }
    );
  });

  /**
   * Writes each generated batch into two stores, the first as `pair` gives it and the second as it gives
   * the writer's side, both at the same instant so that meta, hashes and links can match; then every
   * stored row and lookup entry of the two.
   */
  async function storedBothWays<T>(
    names: [string, string],
    batches: fc.Arbitrary<T>,
    numRuns: number,
    pair: (batch: T) => [readonly (AuditRecord | PreparedAuditEvent)[], readonly (AuditRecord | PreparedAuditEvent)[]]
  ): Promise<{ rows: unknown[] }[]> {
    const [first, second] = names.map(open);
    const realNow = Date.now;
    try {
      let now = Date.parse('2026-12-07T05:00:00.000Z');
      await fc.assert(
        fc.asyncProperty(batches, async (batch) => {
          const [one, other] = pair(batch);
          now += 1000;
          Date.now = () => now;
          await storeWriter(first)(one);
          await storeWriter(second)(other);
          Date.now = realNow;
        }),
        { numRuns }
      );
    } finally {
      Date.now = realNow;
      await first.close();
      await second.close();
    }
    return names.map((name) => storedTables(path.join(dir, name))) as { rows: unknown[] }[];
  }

  it('are stored byte for byte as the events themselves are: rows, packed text, entries, hashes, chain, lookups', async () => {
    const [one, other] = await storedBothWays(['generic.sqlite', 'prepared.sqlite'], batch, 60, (events) => {
      // As the writer thread receives them: the batch's texts (eventTexts), each read.
      const sent = eventTexts(events).flatMap(parseEventLines);
      assert.ok(sent.every(isPreparedEvent), 'every event of these kinds goes prepared');
      return [events, sent];
    });
    assert.ok(one.rows.length > 60);
    assert.deepEqual(other, one);
  });

  it('handed over as an interaction\'s facts are built by the writer into exactly the events built where it ran, and stored alike', async () => {
    let events = 0;
    // The in-memory store's writer (the first) turns the facts into events on the server's thread.
    const [one, other] = await storedBothWays(['this-thread.sqlite', 'from-facts.sqlite'], records, 50, (batch) => {
      const sent = eventTexts(batch).flatMap(parseEventLines);
      // The same prepared events as the events built from the same facts here and sent as lines.
      assert.deepEqual(sent, eventTexts(auditEventsOf(batch)).flatMap(parseEventLines));
      assert.ok(sent.every(isPreparedEvent));
      events += sent.length;
      return [batch, sent];
    });
    assert.equal(one.rows.length, events);
    assert.deepEqual(other, one);
  });

  it('of an interaction are those its facts stand for: one per patient, with the facts\' ids, and the facts\' line is short', () => {
    const page = Array.from({ length: 20 }, (_, i): Resource => ({ resourceType: 'Patient', id: `pat-${i}`, meta: { versionId: '1' } }));
    const clinician: Caller = { kind: 'user', user: 'PractitionerRole/pr-1', clientId: 'emr', organizations: ['Organization/clinic-1'], roles: ['clinician'], scopes: ['user/*.rs'], sourceAddress: '10.0.0.9' };
    const call = { request: { method: 'GET', path: 'Patient', query: new URLSearchParams('given=x'), headers: {}, caller: clinician }, interaction: { code: 'search-type', resourceType: 'Patient' }, caller: clinician, context: {} as FhirContext } as HookCall;
    const result: HookResult = { response: { status: 200, body: { resourceType: 'Bundle', type: 'searchset' } }, resources: page };
    const facts = restEventFacts(call, result, base, Date.parse('2026-12-07T05:00:00.000Z'));
    assert.equal(facts.ids.length, 20);
    assert.deepEqual(facts.caller, { user: 'PractitionerRole/pr-1', clientId: 'emr', sourceAddress: '10.0.0.9' }, 'no roles, scopes or organizations');
    const events = restEventsOf(facts);
    assert.deepEqual(events.map((e) => e.id), facts.ids);
    assert.deepEqual(events.map((e) => e.entity?.at(-1)?.what?.reference), page.map((p) => `Patient/${p.id}`));
    assert.ok(events.every((e) => e.recorded === '2026-12-07T05:00:00.000Z'));
    // The events restEvents builds at once are these, but for their new ids.
    const direct = restEvents(call, result, base, new Date(facts.recorded));
    assert.deepEqual(direct.map((e) => ({ ...e, id: undefined })), events.map((e) => ({ ...e, id: undefined })));
    const [factsText] = eventTexts([facts]);
    const [eventsText] = eventTexts(events);
    assert.ok(factsText.length * 20 < eventsText.length, `${factsText.length} characters of facts against ${eventsText.length} of events`);
  });

  it('of a read take the version from the response, leaving a resource read lazily unparsed', () => {
    const text = JSON.stringify({ resourceType: 'Observation', id: 'o1', meta: { versionId: '3', lastUpdated: '2026-12-07T05:00:00.000Z' }, status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p1' } });
    const body = lazyStoredResource(text, 'Observation', 'o1');
    const version = { resourceType: 'Observation', id: 'o1', versionId: '3', lastUpdated: '2026-12-07T05:00:00.000Z', deleted: false, resource: body };
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/pr-1', clientId: 'emr', organizations: [], roles: [], scopes: [] };
    const call = { request: { method: 'GET', path: 'Observation/o1', query: new URLSearchParams(), headers: {}, caller }, interaction: { code: 'read', resourceType: 'Observation', id: 'o1' }, caller, context: {} as FhirContext } as HookCall;
    const facts = restEventFacts(call, { response: { status: 200, body, version }, resources: [body] }, base);
    assert.equal(facts.target, 'Observation/o1/_history/3');
    assert.deepEqual(facts.patients, ['p1']);
    assert.equal(unparsedTextOf(body), text, 'not parsed');
  });

  it('of a result about several patients are spliced from the first one\'s line to exactly the line each would have', () => {
    let spliced = 0;
    fc.assert(
      fc.property(fc.array(interaction, { minLength: 1, maxLength: 6 }), fc.integer({ min: 2, max: 25 }), (interactions, extra) => {
        for (const [call, result] of interactions) {
          // More patients than the generator's four: a page of a name search.
          const more = Array.from({ length: extra }, (_, i): Resource => ({ resourceType: 'Patient', id: `pat-${i * 37}`, meta: { versionId: '1' } }));
          const events = restEvents(call, { ...result, resources: [...result.resources, ...(result.response ? more : [])] }, base);
          for (const event of events) {
            assert.equal(preparedLine(event), plainPreparedLine(event));
          }
          spliced += events.length > 1 ? events.length - 1 : 0;
        }
      }),
      { numRuns: 150 }
    );
    assert.ok(spliced > 500, `${spliced} events after a family's first`);
  });

  it('are spliced for a clinician\'s page of patients, not for a patient\'s own search that finds them', () => {
    const page = Array.from({ length: 20 }, (_, i): Resource => ({ resourceType: 'Patient', id: `pat-${i}`, meta: { versionId: '1' } }));
    const search = (who: Caller): HookCall =>
      ({ request: { method: 'GET', path: 'Patient', query: new URLSearchParams('given=x'), headers: {}, caller: who }, interaction: { code: 'search-type', resourceType: 'Patient' }, caller: who, context: {} as FhirContext }) as HookCall;
    const clinician: Caller = { kind: 'user', user: 'PractitionerRole/pr-1', clientId: 'emr', organizations: [], roles: [], scopes: [] };
    const events = restEvents(search(clinician), { response: { status: 200, body: { resourceType: 'Bundle', type: 'searchset' } }, resources: page }, base);
    assert.equal(events.length, 20);
    assert.equal(splicedLine(events[0]), undefined, 'the first is built whole');
    for (const event of events.slice(1)) {
      assert.equal(splicedLine(event), plainPreparedLine(event));
    }
    const patientUser: Caller = { ...clinician, user: 'Patient/pat-3' };
    const own = restEvents(search(patientUser), { response: { status: 200, body: { resourceType: 'Bundle', type: 'searchset' } }, resources: page }, base);
    assert.ok(own.every((event) => splicedLine(event) === undefined), 'a patient agent: every line built whole');
  });

  it('go in texts below V8\'s large objects, in their order, an event longer than a text alone', () => {
    const events = fc.sample(batch, { numRuns: 60, seed: 15 }).flat();
    const [long] = restEvents(...fc.sample(interaction, { numRuns: 1, seed: 3 })[0], base);
    const longer: AuditEvent = { ...long, entity: [{ query: Buffer.from('x'.repeat(60_000)).toString('base64') }] };
    const all = [...events.slice(0, 150), longer, ...events.slice(150)];
    const texts = eventTexts(all);
    assert.ok(texts.length > 2, `${all.length} events in ${texts.length} texts`);
    for (const text of texts) {
      // Below 128 KiB even at two bytes a character, or one event alone.
      assert.ok(text.length <= 48_000 || !text.includes('\n'), `a text of ${text.length} characters`);
    }
    assert.ok(texts.some((text) => text.length > 48_000), 'the longer event is sent');
    assert.deepEqual(texts.flatMap(parseEventLines).map(auditEventOf), all);
    assert.equal(texts.join('\n'), all.map(preparedLine).join('\n'));
  });

  it('go as the event alone when it has a meta of its own, and are stored as such', async () => {
    const [event] = restEvents(...fc.sample(interaction, { numRuns: 1, seed: 7 })[0], base);
    const withSource: AuditEvent = { ...event, meta: { source: 'Organization/clinic-12' } };
    const [sent] = eventTexts([withSource]).flatMap(parseEventLines);
    assert.equal(isPreparedEvent(sent), false);
    const store = open('own-meta.sqlite');
    try {
      await storeWriter(store)([sent]);
      assert.equal((await store.readCurrent('AuditEvent', event.id as string))?.resource?.meta?.source, 'Organization/clinic-12');
    } finally {
      await store.close();
    }
  });
});
