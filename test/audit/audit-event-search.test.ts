// AuditEvents from their own table (server/store/sqlite/audit-event-table.ts, audit-search-sql.ts) or
// collection (server/store/mongo/audit-events.ts, on mingo here) through the API: read, vread and history of one version, every search parameter with its modifiers and
// prefixes, sorting and paging both ways, totals, chains, _include and _revinclude in both directions,
// and never among another type's results.
import type { AuditEvent, Bundle, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { DatabaseSync } from 'node:sqlite';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import supertest from 'supertest';
import { administratorToken, testAuthServer } from '../helpers/auth';
import { forEachStoreAdapter } from '../helpers/store-adapters';
import { createTestServer, fileStore, type TestServer } from '../helpers/test-server';

const restType = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' };
const interaction = (code: string): { system: string; code: string } => ({ system: 'http://hl7.org/fhir/restful-interaction', code });
const server = { observer: { identifier: { system: 'urn:ietf:rfc:3986', value: 'http://fhir.test' } } };
const clients = 'http://fhir.test/auth/clients';

const events: AuditEvent[] = [
  {
    resourceType: 'AuditEvent',
    id: 'e1',
    type: restType,
    subtype: [interaction('read')],
    action: 'R',
    recorded: '2026-01-01T10:00:00Z',
    outcome: '0',
    agent: [{ who: { reference: 'PractitionerRole/dr1' }, requestor: true }, { who: { identifier: { system: clients, value: 'app1' } }, requestor: false }],
    source: server,
    entity: [{ what: { reference: 'Patient/p1' } }],
  },
  {
    resourceType: 'AuditEvent',
    id: 'e2',
    type: restType,
    subtype: [interaction('create')],
    action: 'C',
    recorded: '2026-01-02T10:00:00Z',
    outcome: '0',
    agent: [{ who: { reference: 'PractitionerRole/dr2' }, requestor: true }],
    source: server,
    entity: [{ what: { reference: 'Observation/o1' } }, { what: { reference: 'Patient/p2' } }],
  },
  {
    resourceType: 'AuditEvent',
    id: 'e3',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114' },
    subtype: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122' }],
    action: 'E',
    recorded: '2026-01-03T10:00:00Z',
    outcome: '4',
    agent: [{ who: { reference: 'Patient/p1' }, requestor: true }],
    source: server,
  },
  {
    resourceType: 'AuditEvent',
    id: 'e4',
    type: restType,
    subtype: [interaction('operation'), { system: 'http://fhir.test/operations', code: '$everything' }],
    action: 'E',
    recorded: '2026-01-04T10:00:00Z',
    outcome: '8',
    agent: [{ who: { reference: 'PractitionerRole/dr1' }, requestor: true }],
    source: { observer: { display: 'a former system' } },
    entity: [{ what: { reference: 'Patient/p2' } }],
  },
];

describe('AuditEvents in their own table, through the API', function () {
  this.timeout(60_000);
  forEachStoreAdapter((adapter) => {
    let test: TestServer;
    let patientToken: string;
    before(async () => {
      test = createTestServer({ store: await adapter.open() });
      for (const resource of [
        { resourceType: 'Patient', id: 'p1', name: [{ family: 'Zhang' }] },
        { resourceType: 'Patient', id: 'p2', name: [{ family: 'Li' }] },
        { resourceType: 'Observation', id: 'o1', status: 'final', code: { text: 'x' }, subject: { reference: 'Patient/p2' } },
        { resourceType: 'Provenance', id: 'pv1', target: [{ reference: 'AuditEvent/e2' }], recorded: '2026-01-02T10:00:00Z', agent: [{ who: { reference: 'PractitionerRole/dr2' } }] },
      ] as Resource[]) {
        await test.store.update(resource);
      }
      // As the audit writer stores them: one store transaction for the batch.
      await test.store.transaction(async (tx) => {
        for (const event of events) {
          await tx.update(event);
        }
      });
      patientToken = administratorToken(testAuthServer(test.store), { account: 'pat', fhirUser: 'Patient/p1', roles: ['patient'], organizations: [], scopes: ['patient/*.rs'], patient: 'p1' });
    });
    after(() => test.close());

    const search = async (query: string, token?: string): Promise<Bundle> => {
      const request = token ? supertest(test.app).get(`/AuditEvent?${query}`).set('Authorization', `Bearer ${token}`) : test.http.get(`/AuditEvent?${query}`);
      const res = await request;
      assert.equal(res.status, 200, `${query}: ${res.text}`);
      return res.body as Bundle;
    };
    const ids = async (query: string): Promise<string[]> =>
      ((await search(query)).entry ?? []).filter((e) => e.search?.mode !== 'include').map((e) => e.resource?.id as string);
    const sorted = async (query: string): Promise<string[]> => (await ids(query)).sort();

    it('reads, vreads and lists the one version of an event; other types’ searches and histories never hold one', async () => {
      const read = await test.http.get('/AuditEvent/e2').expect(200);
      assert.equal(read.body.meta.versionId, '1');
      assert.equal((await test.http.get('/AuditEvent/e2/_history/1').expect(200)).body.id, 'e2');
      await test.http.get('/AuditEvent/e2/_history/2').expect(404);
      await test.http.get('/AuditEvent/nope').expect(404);
      const history = (await test.http.get('/AuditEvent/e2/_history').expect(200)).body as Bundle;
      assert.deepEqual(history.entry?.map((e) => e.resource?.id), ['e2']);
      const typeHistory = (await test.http.get('/AuditEvent/_history?_count=3').expect(200)).body as Bundle;
      assert.deepEqual(typeHistory.entry?.map((e) => e.resource?.id), ['e4', 'e3', 'e2']);
      const next = typeHistory.link?.find((l) => l.relation === 'next')?.url as string;
      const rest = (await test.http.get(new URL(next).pathname + new URL(next).search).expect(200)).body as Bundle;
      assert.deepEqual(rest.entry?.map((e) => e.resource?.id), ['e1']);
      // System history: one write order across resources and events.
      const system = (await test.http.get('/_history?_count=6').expect(200)).body as Bundle;
      assert.deepEqual(system.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`), [
        'AuditEvent/e4',
        'AuditEvent/e3',
        'AuditEvent/e2',
        'AuditEvent/e1',
        'Provenance/pv1',
        'Observation/o1',
      ]);
      const patients = (await test.http.get('/Patient?_count=50').expect(200)).body as Bundle;
      assert.ok(patients.entry?.every((e) => e.resource?.resourceType === 'Patient'));
    });

    it('searches each parameter with its modifiers and prefixes', async () => {
      assert.deepEqual(await sorted('date=ge2026-01-02'), ['e2', 'e3', 'e4']);
      assert.deepEqual(await sorted('date=lt2026-01-02'), ['e1']);
      assert.deepEqual(await sorted('date=2026-01-03'), ['e3']);
      assert.deepEqual(await sorted('date=gt2026-01-01T10:00:00Z&date=le2026-01-03'), ['e2', 'e3']);
      assert.deepEqual(await sorted('agent=PractitionerRole/dr1'), ['e1', 'e4']);
      assert.deepEqual(await sorted('agent=PractitionerRole/dr1,PractitionerRole/dr2'), ['e1', 'e2', 'e4']);
      assert.deepEqual(await sorted(`agent:identifier=${encodeURIComponent(`${clients}|app1`)}`), ['e1']);
      assert.deepEqual(await sorted('agent:Patient=p1'), ['e3']);
      assert.deepEqual(await sorted('entity=Observation/o1'), ['e2']);
      assert.deepEqual(await sorted('entity:missing=true'), ['e3']);
      assert.deepEqual(await sorted('patient=Patient/p1'), ['e1', 'e3']);
      assert.deepEqual(await sorted('patient=p2'), ['e2', 'e4']);
      assert.deepEqual(await sorted('patient.name=zhang'), ['e1', 'e3']);
      assert.deepEqual(await sorted('type=http://dicom.nema.org/resources/ontology/DCM|110114'), ['e3']);
      assert.deepEqual(await sorted('type=rest'), ['e1', 'e2', 'e4']);
      assert.deepEqual(await sorted('subtype=create'), ['e2']);
      assert.deepEqual(await sorted(`subtype=${encodeURIComponent('http://fhir.test/operations|$everything')}`), ['e4']);
      assert.deepEqual(await sorted('action=E'), ['e3', 'e4']);
      assert.deepEqual(await sorted('action:not=E'), ['e1', 'e2']);
      assert.deepEqual(await sorted('outcome=0,8'), ['e1', 'e2', 'e4']);
      assert.deepEqual(await sorted('outcome=4&type=rest'), []);
      assert.deepEqual(await sorted(`source:identifier=${encodeURIComponent('urn:ietf:rfc:3986|http://fhir.test')}`), ['e1', 'e2', 'e3']);
      assert.deepEqual(await sorted('source:missing=true'), ['e4']);
      assert.deepEqual(await sorted('_id=e2,e3'), ['e2', 'e3']);
      assert.deepEqual(await sorted('_lastUpdated=gt2020-01-01&action=R'), ['e1']);
    });

    it('sorts by date both ways and pages forwards and back, with totals and _summary=count', async () => {
      assert.deepEqual(await ids('_sort=date'), ['e1', 'e2', 'e3', 'e4']);
      const first = await search('_sort=-date&_count=2&_total=accurate');
      assert.deepEqual(first.entry?.map((e) => e.resource?.id), ['e4', 'e3']);
      assert.equal(first.total, 4);
      const link = (bundle: Bundle, relation: string): string => {
        const url = new URL(bundle.link?.find((l) => l.relation === relation)?.url as string);
        return url.pathname + url.search;
      };
      const second = (await test.http.get(link(first, 'next')).expect(200)).body as Bundle;
      assert.deepEqual(second.entry?.map((e) => e.resource?.id), ['e2', 'e1']);
      assert.equal(second.link?.find((l) => l.relation === 'next'), undefined);
      const back = (await test.http.get(link(second, 'previous')).expect(200)).body as Bundle;
      assert.deepEqual(back.entry?.map((e) => e.resource?.id), ['e4', 'e3']);
      const count = await search('_summary=count&action=E');
      assert.equal(count.total, 2);
      assert.equal(count.entry?.length ?? 0, 0);
      if (adapter.name === 'SQLite') {
        // The SQLite table sorts on date, _lastUpdated and _id only (docs/audit.md, "Storage"); MongoDB's pipeline on any.
        const refused = await test.http.get('/AuditEvent?_sort=action').expect(400);
        assert.equal(refused.body.issue[0].code, 'invalid');
      }
    });

    it('includes what events name and what names them, and reverse-includes events from other searches', async () => {
      const withPatient = await search('_id=e1&_include=AuditEvent:patient');
      assert.deepEqual(withPatient.entry?.map((e) => `${e.search?.mode}:${e.resource?.resourceType}/${e.resource?.id}`), ['match:AuditEvent/e1', 'include:Patient/p1']);
      const withProvenance = await search('_id=e2&_revinclude=Provenance:target');
      assert.deepEqual(withProvenance.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`), ['AuditEvent/e2', 'Provenance/pv1']);
      const patient = (await test.http.get('/Patient?_id=p2&_revinclude=AuditEvent:patient').expect(200)).body as Bundle;
      assert.deepEqual(patient.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`).sort(), ['AuditEvent/e2', 'AuditEvent/e4', 'Patient/p2']);
      // `patient` names Patients only: an event whose entity is the Observation is not the Observation's patient event.
      const observation = (await test.http.get('/Observation?_id=o1&_revinclude=AuditEvent:patient&_revinclude=AuditEvent:agent').expect(200)).body as Bundle;
      assert.deepEqual(observation.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`), ['Observation/o1']);
      const byEntity = (await test.http.get('/Observation?_id=o1&_revinclude=AuditEvent:entity').expect(200)).body as Bundle;
      assert.deepEqual(byEntity.entry?.map((e) => `${e.resource?.resourceType}/${e.resource?.id}`), ['Observation/o1', 'AuditEvent/e2']);
    });

    it('shows a patient only the events about them, in searches, reads and includes', async () => {
      assert.deepEqual((await search('_count=50', patientToken)).entry?.map((e) => e.resource?.id).sort(), ['e1', 'e3']);
      assert.equal((await search('_summary=count', patientToken)).total, 2);
      const read = await supertest(test.app).get('/AuditEvent/e2').set('Authorization', `Bearer ${patientToken}`);
      assert.equal(read.status, 403);
    });
  });
});

describe('the AuditEvent table on disk', function () {
  this.timeout(30_000);
  it('holds an event in one row and its local references, with no current row and no generic index rows', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'audit-table-'));
    const file = path.join(dir, 'fhir.sqlite');
    const store = fileStore(file);
    try {
      await store.update(events[1]);
      // Stored again (a batch retried): nothing changes; another event under its id is refused.
      assert.equal((await store.update(events[1])).outcome, 'unchanged');
      await assert.rejects(store.update({ ...events[1], action: 'D' }), (err: { status?: number }) => err.status === 409);
      await assert.rejects(store.delete('AuditEvent', 'e2'), (err: { status?: number }) => err.status === 409);
      const db = new DatabaseSync(file);
      const all = (sql: string): unknown[] => db.prepare(sql).all().map((r) => ({ ...r }));
      assert.deepEqual(all('SELECT id, version_id, current FROM audit_events'), [{ id: 'e2', version_id: 1, current: 1 }]);
      // One lookup entry per agent and entity, merged or recent; `patient` is looked up through them (audit-event-table.ts).
      assert.deepEqual(all(`SELECT target_type, target_id FROM (SELECT * FROM audit_event_targets UNION ALL SELECT * FROM audit_event_recent_targets) ORDER BY target_type, target_id`), [
        { target_type: 'Observation', target_id: 'o1' },
        { target_type: 'Patient', target_id: 'p2' },
        { target_type: 'PractitionerRole', target_id: 'dr2' },
      ]);
      assert.deepEqual(all("SELECT count(*) AS n FROM resources WHERE resource_type = 'AuditEvent'"), [{ n: 0 }]);
      assert.deepEqual(all('SELECT count(*) AS n FROM idx_token'), [{ n: 0 }]);
      assert.deepEqual(all('SELECT count(*) AS n FROM idx_reference'), [{ n: 0 }]);
      db.close();
    } finally {
      await store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
