// The write step (server/fhir/pipeline/write-step.ts): a registered write rule runs inside the store
// transaction of every write path (create, update, patch, delete, conditional writes, batch and
// transaction entries), reads other resources through that transaction, and its refusal is a 422 that
// names the rule and the element, rolling back everything of its transaction.
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { ruleViolation, type PendingWrite, type WriteRule } from '../../../server/fhir/pipeline/write-rules';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

/** Observations of an inactive patient are refused: the rule reads the patient in the write's transaction. */
const noObservationsOfInactivePatients: WriteRule = {
  name: 'test-inactive-patient',
  async check(write, tx) {
    if (write.resourceType !== 'Observation' || !write.resource) {
      return;
    }
    const subject = (write.resource as Observation).subject?.reference;
    const current = subject?.startsWith('Patient/') ? await tx.readCurrent('Patient', subject.slice(8)) : undefined;
    if ((current?.resource as Patient | undefined)?.active === false) {
      throw ruleViolation('test-inactive-patient', `${subject} is inactive`, 'Observation.subject');
    }
  },
};

describe('pipeline write rules', () => {
  let server: TestServer;
  let writes: PendingWrite[];
  /** The version each write replaces, as the rule read it inside the write's transaction. */
  let previous: (string | undefined)[];
  const recorder: WriteRule = {
    name: 'test-recorder',
    async check(write) {
      writes.push(write);
      previous.push((await write.previous())?.versionId);
    },
  };
  beforeEach(async () => {
    writes = [];
    previous = [];
    server = createTestServer({ pipeline: { writeRules: [recorder, noObservationsOfInactivePatients] } });
    await server.http.put('/Patient/active').set('Content-Type', fhirJson).send(patient({ id: 'active', active: true })).expect(201);
    await server.http.put('/Patient/inactive').set('Content-Type', fhirJson).send(patient({ id: 'inactive', active: false })).expect(201);
    writes.length = 0;
    previous.length = 0;
  });
  afterEach(() => server.close());

  const refusedByRule = (body: { issue: { code: string; diagnostics?: string; expression?: string[] }[] }): void => {
    const issue = body.issue.find((i) => i.diagnostics === 'write rule: test-inactive-patient');
    assert.ok(issue, JSON.stringify(body));
    assert.equal(issue.code, 'business-rule');
    assert.deepEqual(issue.expression, ['Observation.subject']);
  };

  it('refuses a create with 422 naming the rule and the element, and stores nothing', async () => {
    const res = await server.http.post('/Observation').set('Content-Type', fhirJson).send(observation('inactive'));
    assert.equal(res.status, 422);
    refusedByRule(res.body);
    assert.equal((await server.http.get('/Observation?_total=accurate')).body.total, 0);
    assert.equal((await server.http.post('/Observation').set('Content-Type', fhirJson).send(observation('active'))).status, 201);
  });

  it('runs on update, conditional update, patch and delete, telling the rule what is written and what was', async () => {
    await server.http.put('/Observation/o1').set('Content-Type', fhirJson).send({ ...observation('active'), id: 'o1' }).expect(201);
    const moved = await server.http.put('/Observation/o1').set('Content-Type', fhirJson).send({ ...observation('inactive'), id: 'o1' });
    assert.equal(moved.status, 422);
    const patched = await server.http
      .patch('/Observation/o1')
      .set('Content-Type', 'application/json-patch+json')
      .send(JSON.stringify([{ op: 'replace', path: '/subject/reference', value: 'Patient/inactive' }]));
    assert.equal(patched.status, 422);
    refusedByRule(patched.body);
    const conditional = await server.http
      .put('/Observation?_id=o1')
      .set('Content-Type', fhirJson)
      .send({ ...observation('inactive'), id: 'o1' });
    assert.equal(conditional.status, 422);
    assert.equal((await server.http.get('/Observation/o1')).body.subject.reference, 'Patient/active', 'nothing of the refused writes was stored');
    await server.http.delete('/Observation/o1').expect(204);
    const actions = writes.map((w) => `${w.action} ${w.interaction.code}${w.interaction.conditional ? ' conditional' : ''}`);
    assert.deepEqual(actions, ['update update', 'update update', 'update patch', 'update update conditional', 'delete delete']);
    assert.deepEqual(previous, [undefined, '1', '1', '1', '1'], 'the rule read the version each write replaces');
    assert.equal(writes[1].caller.kind, 'user', "the test server's token names the caller");
  });

  it('rolls back every entry of a transaction when one entry is refused, naming the entry', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...observation('active'), id: 'ok-1' }, request: { method: 'PUT', url: 'Observation/ok-1' } },
        { resource: { ...observation('inactive'), id: 'bad-1' }, request: { method: 'PUT', url: 'Observation/bad-1' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(transaction);
    assert.equal(res.status, 422);
    assert.match(res.body.issue[0].details.text, /Bundle\.entry\[1\].*rolled back/);
    refusedByRule(res.body);
    assert.equal((await server.http.get('/Observation/ok-1')).status, 404);
  });

  it('sees the transaction\'s own earlier writes: a patient made inactive by an entry refuses a later one', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient({ id: 'active', active: false }), request: { method: 'PUT', url: 'Patient/active' } },
        { resource: { ...observation('active'), id: 'o2' }, request: { method: 'PATCH', url: 'Observation/none' } },
      ],
    };
    // PUT and PATCH run in one phase, in entry order: the PATCH fails (no such resource), the PUT is undone.
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(transaction)).status, 400);
    const putsOnly: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: patient({ id: 'active', active: false }), request: { method: 'PUT', url: 'Patient/active' } },
        { resource: { ...observation('active'), id: 'o3' }, request: { method: 'PUT', url: 'Observation/o3' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(putsOnly);
    assert.equal(res.status, 422);
    refusedByRule(res.body);
    assert.equal((await server.http.get('/Patient/active')).body.active, true);
  });

  it('fails only the refused entry of a batch', async () => {
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { resource: observation('active'), request: { method: 'POST', url: 'Observation' } },
        { resource: observation('inactive'), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(batch).expect(200);
    assert.deepEqual(res.body.entry.map((e: { response: { status: string } }) => e.response.status), ['201 Created', '422 Unprocessable Entity']);
    refusedByRule(res.body.entry[1].response.outcome);
    assert.equal(writes.find((w) => w.entry === 'Bundle.entry[1]')?.interaction.code, 'create');
  });
});
