// Transaction Bundles (https://hl7.org/fhir/R4/http.html#transaction): placeholders rewritten, all or
// nothing, the spec's processing order, conditional entries and references.
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, fileStore, testBaseUrl, type TestServer } from '../../helpers/test-server';

// A clinic's medical record numbers: free text, unlike resident ID numbers, which carry a check character.
const system = 'https://fhir.test/sid/clinic-mrn';

function transaction(entry: BundleEntry[]): Bundle {
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

function post(fullUrl: string, resource: Resource): BundleEntry {
  return { fullUrl, resource, request: { method: 'POST', url: resource.resourceType } };
}

/** A follow-up visit as an HIS sends it: every reference a placeholder. */
function followUpVisit(): Bundle {
  return transaction([
    post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000001', patient({ identifier: [{ system, value: 'T-100' }] })),
    post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000002', {
      resourceType: 'Encounter',
      status: 'finished',
      class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
      subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000001' },
      serviceProvider: { reference: 'urn:oid:1.2.156.999.1' },
    }),
    post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000003', {
      ...observation('x'),
      subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000001' },
      encounter: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000002' },
      // A reference inside an extension is a reference too.
      extension: [
        { url: 'https://fhir.dhc.example/StructureDefinition/recorded-at', valueReference: { reference: 'urn:oid:1.2.156.999.1' } },
      ],
    }),
    post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000004', {
      ...observation('x', { valueQuantity: { value: 84, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } }),
      subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000001' },
      encounter: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000002' },
    }),
    post('urn:oid:1.2.156.999.1', { resourceType: 'Organization', name: '朝阳社区卫生服务中心' }),
    post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000005', {
      resourceType: 'MedicationRequest',
      status: 'active',
      intent: 'order',
      // A contained resource's references are rewritten as well.
      contained: [{ resourceType: 'Medication', id: 'med', manufacturer: { reference: 'urn:oid:1.2.156.999.1' } }],
      medicationReference: { reference: '#med' },
      subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000001' },
      encounter: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000002' },
    }),
  ]);
}

describe('transaction Bundles', () => {
  let server: TestServer;
  beforeEach(() => {
    server = createTestServer();
  });
  afterEach(() => server.close());

  const send = (bundle: Bundle, prefer?: string) => {
    const req = server.http.post('/').set('Content-Type', fhirJson);
    return (prefer ? req.set('Prefer', prefer) : req).send(bundle);
  };

  it('creates a visit whose references are all rewritten to the assigned ids, and readable', async () => {
    const res = await send(followUpVisit());
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.type, 'transaction-response');
    const entries: BundleEntry[] = res.body.entry;
    assert.equal(entries.length, 6);
    assert.ok(entries.every((e) => e.response?.status === '201 Created'));
    const ids = entries.map((e) => e.resource!.id);
    const [patientId, encounterId, , , organizationId] = ids;
    for (const entry of entries) {
      assert.match(entry.response!.location!, new RegExp(`^${testBaseUrl}/${entry.resource!.resourceType}/${entry.resource!.id}/_history/1$`));
      assert.equal(entry.response!.etag, 'W/"1"');
      assert.equal(entry.response!.lastModified, entry.resource!.meta!.lastUpdated);
      const stored = await server.http.get(`/${entry.resource!.resourceType}/${entry.resource!.id}`);
      assert.equal(stored.status, 200);
      const text = JSON.stringify(stored.body);
      assert.ok(!text.includes('urn:uuid:') && !text.includes('urn:oid:1.2.156'), `${entry.resource!.resourceType} keeps no placeholder`);
    }
    const observation = (await server.http.get(`/Observation/${ids[2]}`)).body;
    assert.equal(observation.subject.reference, `Patient/${patientId}`);
    assert.equal(observation.encounter.reference, `Encounter/${encounterId}`);
    assert.equal(observation.extension[0].valueReference.reference, `Organization/${organizationId}`);
    const request = (await server.http.get(`/MedicationRequest/${ids[5]}`)).body;
    assert.equal(request.contained[0].manufacturer.reference, `Organization/${organizationId}`);
    assert.equal(request.medicationReference.reference, '#med');
    // The references are indexed as rewritten.
    const search = await server.http.get(`/Observation?subject=Patient/${patientId}&encounter=${encounterId}`);
    assert.equal(search.body.entry.length, 2);
  });

  it('leaves the store exactly as it was when one entry is invalid', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tx-rollback-'));
    const file = path.join(dir, 'fhir.sqlite');
    const onFile = createTestServer({ store: fileStore(file) });
    try {
      const existing = await onFile.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-200' }] }));
      const before = await snapshot(onFile, file, existing.body.id);
      const bundle = followUpVisit();
      bundle.entry!.push({
        resource: { ...existing.body, gender: 'female' },
        request: { method: 'PUT', url: `Patient/${existing.body.id}` },
      });
      // One invalid entry, last in the Bundle: everything before it had been written inside the transaction.
      const bad = { ...observation(existing.body.id), status: 'not-a-status' } as unknown as Resource;
      bundle.entry!.push({ fullUrl: 'urn:uuid:3f1c2a4e-0000-4000-8000-0000000000ff', resource: bad, request: { method: 'POST', url: 'Observation' } });
      const res = await onFile.http.post('/').set('Content-Type', fhirJson).send(bundle);
      assert.equal(res.status, 400);
      assert.equal(res.body.resourceType, 'OperationOutcome');
      assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[7]']);
      assert.match(res.body.issue[0].details.text, /Bundle\.entry\[7\] \(urn:uuid:3f1c2a4e-0000-4000-8000-0000000000ff\)/);
      assert.match(res.body.issue[0].details.text, /nothing was stored/);
      assert.deepEqual(await snapshot(onFile, file, existing.body.id), before);
    } finally {
      await onFile.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('processes DELETE, POST, PUT, then GET, whatever their order in the Bundle', async () => {
    const doomed = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-300' }] }));
    const res = await send(
      transaction([
        { request: { method: 'GET', url: `Patient?identifier=${system}|T-301` } },
        { request: { method: 'GET', url: `Patient/${doomed.body.id}` } },
        post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000301', patient({ identifier: [{ system, value: 'T-301' }] })),
        { request: { method: 'DELETE', url: `Patient/${doomed.body.id}` } },
      ])
    );
    // The read of the deleted patient fails, so the whole transaction fails: it ran after the DELETE.
    assert.equal(res.status, 410);
    assert.deepEqual(res.body.issue[0].expression, ['Bundle.entry[1]']);
    assert.equal((await server.http.get(`/Patient/${doomed.body.id}`)).status, 200, 'the delete was rolled back');

    const ok = await send(
      transaction([
        { request: { method: 'GET', url: `Patient?identifier=${system}|T-301` } },
        post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000301', patient({ identifier: [{ system, value: 'T-301' }] })),
      ])
    );
    assert.equal(ok.status, 200);
    assert.equal(ok.body.entry[0].response.status, '200 OK');
    assert.equal(ok.body.entry[0].resource.type, 'searchset');
    assert.equal(ok.body.entry[0].resource.entry.length, 1, 'the search ran after the POST');
    assert.equal(ok.body.entry[0].resource.entry[0].resource.id, ok.body.entry[1].resource.id);
  });

  it('resolves conditional references to their one match, and fails on none or several', async () => {
    const known = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-400' }] }));
    const withSubject = (reference: string): Bundle =>
      transaction([post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000401', { ...observation('x'), subject: { reference } })]);
    const res = await send(withSubject(`Patient?identifier=${system}|T-400`));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.entry[0].resource.subject.reference, `Patient/${known.body.id}`);

    const none = await send(withSubject(`Patient?identifier=${system}|nobody`));
    assert.equal(none.status, 404);
    assert.deepEqual(none.body.issue[0].expression, ['Bundle.entry[0]']);
    await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-400' }] }));
    const several = await send(withSubject(`Patient?identifier=${system}|T-400`));
    assert.equal(several.status, 412);
    assert.equal((await server.http.get('/Observation?_total=accurate')).body.total, 1, 'only the first transaction wrote');
  });

  it('maps the placeholder of a conditional create that matched to the existing resource', async () => {
    const known = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-500' }] }));
    const res = await send(
      transaction([
        {
          fullUrl: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000501',
          resource: patient({ identifier: [{ system, value: 'T-500' }] }),
          request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=${system}|T-500` },
        },
        post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000502', {
          ...observation('x'),
          subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000501' },
        }),
      ])
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.entry[0].response.status, '200 OK');
    assert.equal(res.body.entry[0].resource.id, known.body.id);
    assert.equal(res.body.entry[1].resource.subject.reference, `Patient/${known.body.id}`);
  });

  it('updates by search inside a transaction, and maps its placeholder', async () => {
    const known = await server.http.post('/Patient').set('Content-Type', fhirJson).send(patient({ identifier: [{ system, value: 'T-600' }] }));
    const res = await send(
      transaction([
        {
          fullUrl: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000601',
          resource: patient({ identifier: [{ system, value: 'T-600' }], gender: 'female' }),
          request: { method: 'PUT', url: `Patient?identifier=${system}|T-600` },
        },
        post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000602', {
          ...observation('x'),
          subject: { reference: 'urn:uuid:3f1c2a4e-0000-4000-8000-000000000601' },
        }),
        { request: { method: 'DELETE', url: `Patient?identifier=${system}|T-601` } },
      ])
    );
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.equal(res.body.entry[0].response.status, '200 OK');
    assert.equal(res.body.entry[0].resource.id, known.body.id);
    assert.equal(res.body.entry[0].resource.gender, 'female');
    assert.equal(res.body.entry[1].resource.subject.reference, `Patient/${known.body.id}`);
    assert.equal(res.body.entry[2].response.status, '200 OK');
  });

  it('refuses two entries that change the same resource, and a placeholder no entry defines', async () => {
    const twice = await send(
      transaction([
        { resource: patient({ id: 'same' }), request: { method: 'PUT', url: 'Patient/same' } },
        { request: { method: 'DELETE', url: 'Patient/same' } },
      ])
    );
    assert.equal(twice.status, 400);
    assert.match(twice.body.issue[0].details.text, /both change Patient\/same/);
    const dangling = await send(
      transaction([post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000701', { ...observation('x'), subject: { reference: 'urn:uuid:nowhere' } })])
    );
    assert.equal(dangling.status, 400);
    assert.deepEqual(dangling.body.issue[1].expression, ['resource.subject.reference']);
    assert.equal((await server.http.get('/Patient?_total=accurate')).body.total, 0);
  });

  it('returns each entry as Prefer: return= asks', async () => {
    const bundle = transaction([post('urn:uuid:3f1c2a4e-0000-4000-8000-000000000801', patient())]);
    const minimal = await send(bundle, 'return=minimal');
    assert.equal(minimal.body.entry[0].resource, undefined);
    assert.equal(minimal.body.entry[0].response.status, '201 Created');
    assert.match(minimal.body.entry[0].response.location, /\/Patient\//);
    const outcome = await send(bundle, 'return=OperationOutcome');
    assert.equal(outcome.body.entry[0].response.outcome.resourceType, 'OperationOutcome');
  });

  it('refuses Bundles over the entry limit with 413, and anything but a batch or transaction with 400', async () => {
    const small = createTestServer({ store: server.store, maxBundleEntries: 2 });
    const three = transaction([1, 2, 3].map((n) => post(`urn:uuid:3f1c2a4e-0000-4000-8000-00000000090${n}`, patient())));
    const tooMany = await small.http.post('/').set('Content-Type', fhirJson).send(three);
    assert.equal(tooMany.status, 413);
    assert.match(tooMany.body.issue[0].details.text, /FHIR_BUNDLE_MAX_ENTRIES/);
    assert.equal((await server.http.get('/Patient?_total=accurate')).body.total, 0);
    assert.equal((await send({ resourceType: 'Bundle', type: 'collection' })).status, 400);
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(patient())).status, 400);
    const noRequest = await send(transaction([{ resource: patient() }]));
    assert.equal(noRequest.status, 400);
    assert.deepEqual(noRequest.body.issue[0].expression, ['Bundle.entry[0].request']);
  });

  it('never interleaves concurrent transactions that touch the same resources', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tx-concurrent-'));
    const onFile = createTestServer({ store: fileStore(path.join(dir, 'fhir.sqlite')) });
    try {
      const pair = (n: number): Bundle =>
        transaction(
          ['pair-a', 'pair-b'].map((id) => ({
            resource: patient({ id, name: [{ text: `round ${n}` }] }),
            request: { method: 'PUT' as const, url: `Patient/${id}` },
          }))
        );
      const replies = await Promise.all(Array.from({ length: 24 }, (_, n) => onFile.http.post('/').set('Content-Type', fhirJson).send(pair(n))));
      assert.ok(replies.every((r) => r.status === 200));
      const versions = async (id: string): Promise<string[]> => {
        const history = await onFile.http.get(`/Patient/${id}/_history?_count=100`);
        return history.body.entry.map((e: BundleEntry) => `${e.resource!.meta!.versionId}:${(e.resource as { name: { text: string }[] }).name[0].text}`);
      };
      const a = await versions('pair-a');
      assert.equal(a.length, 24);
      assert.deepEqual(a, await versions('pair-b'), 'version n of both resources comes from the same transaction');
    } finally {
      await onFile.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** What a failed transaction must not change: versions, search results and every index table's rows. */
async function snapshot(server: TestServer, file: string, patientId: string): Promise<unknown> {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map(
      (t) => t.name
    );
    const rows = Object.fromEntries(tables.map((t) => [t, (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n]));
    const history = (await server.http.get(`/Patient/${patientId}/_history`)).body.entry.length;
    const systemHistory = (await server.http.get('/_history?_count=1000')).body.entry.length;
    const observations = (await server.http.get('/Observation?_total=accurate')).body.total;
    const patients = (await server.http.get(`/Patient?identifier=${system}|T-100&_total=accurate`)).body.total;
    const current = (await server.http.get(`/Patient/${patientId}`)).body;
    return { rows, history, systemHistory, observations, patients, current };
  } finally {
    db.close();
  }
}
