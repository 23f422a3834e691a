// A Bundle's entries checked on the store's read threads before the writer runs them
// (server/validation/prevalidated-writes.ts, offloaded-validation.ts): the threads follow a profile
// changed by the write before, a transaction or batch answers exactly as when the writer validates
// alone, and the writer takes a thread's verdict only for the very text it writes, under the same
// profiles and terminology.
import type { Bundle, Observation, OperationOutcome, Patient, StructureDefinition } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ResourceStore } from '../../server/store/port';
import type { ValidationAnswer, ValidationRequest } from '../../server/validation/offloaded-validation';
import { validatorSettings } from '../../server/validation/offloaded-validation';
import { PrevalidatedWrites } from '../../server/validation/prevalidated-writes';
import { defaultValidationPolicy } from '../../server/validation/resource-validator';
import { baseStructureDefinition } from '../../server/validation/structure-definitions';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import { openSqliteStore } from '../../server/store/adapters';
import { createTestServer, fhirJson, fileStore, testBaseUrl, testRegistry, type TestServer } from '../helpers/test-server';

const profileUrl = 'http://fhir.test/StructureDefinition/prevalidated-patient';

/** A Patient profile made from the base one, with the named elements required. */
function patientProfile(required: string[]): StructureDefinition {
  const base = baseStructureDefinition('http://hl7.org/fhir/StructureDefinition/Patient') as StructureDefinition;
  const element = (base.snapshot?.element ?? []).map((e) => (required.includes(e.path) ? { ...e, min: 1 } : e));
  const { url: _url, version: _version, ...rest } = base;
  return {
    ...rest,
    id: 'prevalidated-patient',
    url: profileUrl,
    name: 'PrevalidatedPatient',
    derivation: 'constraint',
    baseDefinition: 'http://hl7.org/fhir/StructureDefinition/Patient',
    snapshot: { element },
  };
}

const claiming = (patient: Omit<Patient, 'resourceType'>): Patient => ({ resourceType: 'Patient', meta: { profile: [profileUrl] }, ...patient });

function transaction(...resources: object[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: resources.map((resource, i) => ({
      fullUrl: `urn:uuid:00000000-0000-4000-8000-00000000000${i}`,
      resource: resource as never,
      request: { method: 'POST', url: (resource as { resourceType: string }).resourceType },
    })),
  };
}

const observationOf = (subject: string): object => ({
  resourceType: 'Observation',
  status: 'final',
  code: { text: 'weight' },
  subject: { reference: subject },
});

/** The store, with what its threads answer seen (and, if asked, changed) on the way back. */
function observed(store: ResourceStore, change: (answer: ValidationAnswer) => ValidationAnswer = (a) => a): { store: ResourceStore; answers: ValidationAnswer[] } {
  const answers: ValidationAnswer[] = [];
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      if (key === 'validateOffThread') {
        return async (request: ValidationRequest): Promise<ValidationAnswer | undefined> => {
          const answer = await target.validateOffThread?.(request);
          if (answer) {
            answers.push(answer);
          }
          return answer && change(answer);
        };
      }
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { store: proxy, answers };
}

/**
 * Makes the store's validating thread ready: the server's first Bundle only starts loading its validator
 * (and is validated on the writer), and the thread answers in order, so once a call sent after that
 * answers, the load is done and the server knows it.
 */
async function warmUp(server: TestServer, store: ResourceStore): Promise<void> {
  await server.http.post('/').set('Content-Type', fhirJson).send({ resourceType: 'Bundle', type: 'batch', entry: [{ resource: { resourceType: 'Basic', code: { text: 'warm-up' } }, request: { method: 'POST', url: 'Basic' } }] });
  await store.validateOffThread?.({ settings: validatorSettings(testBaseUrl, defaultValidationPolicy), rewrites: [], bodies: [] });
}

const issueTexts = (body: unknown): string[] => ((body as OperationOutcome).issue ?? []).map((i) => `${i.severity} ${i.code} ${i.details?.text} @ ${i.expression?.join()}`);

describe('validation of Bundle entries on the read threads', function () {
  this.timeout(60_000);
  let dir: string;
  let servers: TestServer[] = [];
  /** A server on a file store of its own, whose read threads check the entries. */
  const start = (store: ResourceStore): TestServer => {
    const server = createTestServer({ store });
    servers.push(server);
    return server;
  };

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fhir-prevalidated-'));
  });
  afterEach(async () => {
    await Promise.all(servers.map((s) => s.close()));
    servers = [];
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("enforces a profile changed by the write before, on the thread's own check", async () => {
    const { store, answers } = observed(fileStore(path.join(dir, 'fhir.sqlite')));
    const server = start(store);
    await warmUp(server, store);
    assert.equal((await server.http.put('/StructureDefinition/prevalidated-patient').set('Content-Type', fhirJson).send(patientProfile(['Patient.birthDate']))).status, 201);
    const ok = await server.http.post('/').set('Content-Type', fhirJson).send(transaction(claiming({ birthDate: '1980-02-03' })));
    assert.equal(ok.status, 200, issueTexts(ok.body).join('\n'));
    // The profile now also requires a gender: the thread's compiled copy must be dropped.
    assert.equal((await server.http.put('/StructureDefinition/prevalidated-patient').set('Content-Type', fhirJson).send(patientProfile(['Patient.birthDate', 'Patient.gender']))).status, 200);
    const refused = await server.http.post('/').set('Content-Type', fhirJson).send(transaction(claiming({ birthDate: '1980-02-03' })));
    assert.equal(refused.status, 422, issueTexts(refused.body).join('\n'));
    assert.match(issueTexts(refused.body).join('\n'), /Patient\.gender/);
    const verdict = answers.at(-1)?.verdicts[0];
    assert.ok(verdict?.issues.some((i) => i.severity === 'error' && i.expression?.some((e) => e.includes('Patient.gender'))), 'the thread found the missing gender');
  });

  it('enforces a profile changed by another process sharing the store', async () => {
    const file = path.join(dir, 'shared.sqlite');
    const otherStore = fileStore(file);
    const [writer, other] = [start(fileStore(file)), start(otherStore)];
    await warmUp(other, otherStore);
    assert.equal((await writer.http.put('/StructureDefinition/prevalidated-patient').set('Content-Type', fhirJson).send(patientProfile([]))).status, 201);
    assert.equal((await other.http.post('/').set('Content-Type', fhirJson).send(transaction(claiming({})))).status, 200);
    assert.equal((await writer.http.put('/StructureDefinition/prevalidated-patient').set('Content-Type', fhirJson).send(patientProfile(['Patient.gender']))).status, 200);
    const refused = await other.http.post('/').set('Content-Type', fhirJson).send(transaction(claiming({})));
    assert.equal(refused.status, 422, issueTexts(refused.body).join('\n'));
    assert.match(issueTexts(refused.body).join('\n'), /Patient\.gender/);
  });

  it('answers a failing transaction and batch exactly as the writer validating alone does', async () => {
    const threadStore = fileStore(path.join(dir, 'threads.sqlite'));
    const server = start(threadStore);
    await warmUp(server, threadStore);
    // The writer validating alone: a store without read threads.
    const inline = start(openSqliteStore({ file: path.join(dir, 'inline.sqlite'), synchronous: 'NORMAL', indexer: createResourceIndexer(testRegistry()), readThreads: 0 }));
    const bad = { resourceType: 'Observation', code: { text: 'no status' }, subject: { reference: 'urn:uuid:00000000-0000-4000-8000-000000000000' } };
    const schemaBad = { resourceType: 'Patient', birthDate: 'yesterday' };
    for (const body of [transaction({ resourceType: 'Patient' }, bad), transaction({ resourceType: 'Patient' }, schemaBad)]) {
      const [threads, alone] = await Promise.all([server, inline].map((s) => s.http.post('/').set('Content-Type', fhirJson).send(body)));
      assert.ok(threads.status === 400 || threads.status === 422, String(threads.status));
      assert.equal(threads.status, alone.status);
      assert.deepEqual(issueTexts(threads.body), issueTexts(alone.body));
    }
    const batch: Bundle = { ...transaction({ resourceType: 'Patient' }, bad, schemaBad), type: 'batch' };
    const [threads, alone] = await Promise.all([server, inline].map((s) => s.http.post('/').set('Content-Type', fhirJson).send(batch)));
    const statuses = (b: Bundle): string[] => (b.entry ?? []).map((e) => e.response?.status ?? '');
    assert.deepEqual(statuses(threads.body as Bundle).map((s) => s.slice(0, 3)), ['201', '422', '400']);
    assert.deepEqual(statuses(threads.body as Bundle), statuses(alone.body as Bundle));
    const outcomes = (b: Bundle): string[][] => (b.entry ?? []).slice(1).map((e) => issueTexts(e.response?.outcome));
    assert.deepEqual(outcomes(threads.body as Bundle), outcomes(alone.body as Bundle));
  });

  it("takes a thread's verdict for the text it writes after the planned rewrite, and checks again what was rewritten otherwise", async () => {
    // Every verdict is made to refuse: a write that took one fails with this error.
    const poisoned = 'refused by the changed verdict';
    const poison = (answer: ValidationAnswer): ValidationAnswer => ({
      ...answer,
      verdicts: answer.verdicts.map((v) => v && { ...v, issues: [{ severity: 'error', code: 'invalid', details: { text: poisoned } }] }),
    });
    const { store, answers } = observed(fileStore(path.join(dir, 'fhir.sqlite')), poison);
    const server = start(store);
    await warmUp(server, store);
    const answered = answers.length;
    const planned = await server.http.post('/').set('Content-Type', fhirJson).send(transaction({ resourceType: 'Patient' }, observationOf('urn:uuid:00000000-0000-4000-8000-000000000000')));
    assert.equal(planned.status, 422);
    assert.match(issueTexts(planned.body).join('\n'), new RegExp(poisoned));
    assert.equal(answers.length, answered + 1);

    // The patient exists, so its conditional create finds it and the observation's reference is rewritten
    // to the stored id, not the one planned: the writer checks the observation itself, and stores it.
    await server.store.create({ resourceType: 'Patient', id: 'known', identifier: [{ system: 'http://fhir.test/mrn', value: '7' }] });
    const bundle = transaction({ resourceType: 'Patient', identifier: [{ system: 'http://fhir.test/mrn', value: '7' }] }, observationOf('urn:uuid:00000000-0000-4000-8000-000000000000'));
    (bundle.entry as NonNullable<Bundle['entry']>)[0].request = { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://fhir.test/mrn|7' };
    const rewritten = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
    assert.equal(rewritten.status, 200, issueTexts(rewritten.body).join('\n'));
    const location = (rewritten.body as Bundle).entry?.[1].response?.location ?? '';
    const stored = await server.http.get(`/${/Observation\/[^/]+/.exec(location)?.[0]}`);
    assert.equal(stored.body.subject.reference, 'Patient/known');
  });

  it("takes a thread's index entries for the text it writes after the planned rewrite, and extracts again what was rewritten otherwise", async () => {
    // Every entry extracted on the thread also gets a code no resource has: a write that took them is found by it.
    const poison = (answer: ValidationAnswer): ValidationAnswer => ({
      ...answer,
      verdicts: answer.verdicts.map((v) => v?.index && { ...v, index: { ...v.index, entries: { ...v.index.entries, tokens: [...v.index.entries.tokens, { param: 'code', system: 'http://fhir.test/poison', code: 'x' }] } } }),
    });
    const { store } = observed(fileStore(path.join(dir, 'fhir.sqlite')), poison);
    const server = start(store);
    await warmUp(server, store);
    const poisoned = async (): Promise<string[]> =>
      (((await server.http.get('/Observation?code=http://fhir.test/poison|x')).body as Bundle).entry ?? []).map((e) => (e.resource as Observation | undefined)?.subject?.reference ?? '');
    const planned = await server.http.post('/').set('Content-Type', fhirJson).send(transaction({ resourceType: 'Patient' }, observationOf('urn:uuid:00000000-0000-4000-8000-000000000000')));
    assert.equal(planned.status, 200, issueTexts(planned.body).join('\n'));
    const patient = /Patient\/[^/]+/.exec((planned.body as Bundle).entry?.[0].response?.location ?? '')?.[0];
    assert.deepEqual(await poisoned(), [patient]);

    // The conditional create finds its patient, so the observation's reference is rewritten to the stored
    // id, not the planned one: its text differs from the thread's, and the writer extracts its entries.
    await server.store.create({ resourceType: 'Patient', id: 'known', identifier: [{ system: 'http://fhir.test/mrn', value: '7' }] });
    const bundle = transaction({ resourceType: 'Patient', identifier: [{ system: 'http://fhir.test/mrn', value: '7' }] }, observationOf('urn:uuid:00000000-0000-4000-8000-000000000000'));
    (bundle.entry as NonNullable<Bundle['entry']>)[0].request = { method: 'POST', url: 'Patient', ifNoneExist: 'identifier=http://fhir.test/mrn|7' };
    const rewritten = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
    assert.equal(rewritten.status, 200, issueTexts(rewritten.body).join('\n'));
    assert.deepEqual(await poisoned(), [patient]);
    assert.equal(((await server.http.get('/Observation?subject=Patient/known')).body as Bundle).entry?.length, 1);
  });

  it('keeps a verdict only under the marker it was reached with', async () => {
    const verdict = { text: '{"resourceType":"Patient"}', schemaIssues: [], issues: [] };
    let marker = '7';
    const counts = { used: 0, checkedAgain: 0 };
    const once = new PrevalidatedWrites({ marker: '7', verdicts: [verdict] }, async () => marker, false, counts);
    assert.equal(await once.verdictFor(verdict.text), verdict);
    assert.equal(await once.verdictFor('{"resourceType":"Patient","active":true}'), undefined);
    marker = '8';
    assert.equal(await once.verdictFor(verdict.text), undefined);
    assert.deepEqual(counts, { used: 1, checkedAgain: 2 });
    assert.equal(validatorSettings(testBaseUrl, defaultValidationPolicy).unknownProfile, 'error');
  });
});
