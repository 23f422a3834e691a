// Write effects (server/fhir/pipeline/write-effects.ts): a rule's consequences of a write are written in
// the write's transaction after it, through the write rules (marked with effectOf), and roll back with it:
// for a single request and across a transaction Bundle.
import type { Bundle, Observation, Patient } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { ruleViolation, type WriteRule } from '../../../server/fhir/pipeline/write-rules';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

/** Each Observation written by a client gets a Provenance naming it, as the rule's effect. */
const provenanceOfObservations: WriteRule = {
  name: 'test-provenance',
  async check(write) {
    if (write.resourceType !== 'Observation' || !write.resource || write.effectOf) {
      return;
    }
    write.afterwards(async (effects) => {
      await effects.create({ resourceType: 'Provenance', id: `prov-${write.id}`, target: [{ reference: `Observation/${write.id}` }], recorded: '2026-12-06T00:00:00Z', agent: [{ who: { display: 'test' } }] });
    });
  },
};

describe('pipeline write effects', () => {
  let server: TestServer;
  let effects: string[];
  /** Records the writes that are effects, and refuses any Provenance of an Observation marked 'refuse'. */
  const watcher: WriteRule = {
    name: 'test-watcher',
    async check(write, tx) {
      if (write.effectOf) {
        effects.push(`${write.resourceType}/${write.id} by ${write.effectOf.rule} for ${write.effectOf.resourceType}/${write.effectOf.id}`);
      }
      if (write.resourceType === 'Provenance') {
        const target = await tx.readCurrent('Observation', write.id.slice('prov-'.length));
        if ((target?.resource as Observation | undefined)?.status === 'cancelled') {
          throw ruleViolation('test-watcher', 'no provenance for cancelled observations', 'Provenance.target');
        }
      }
    },
  };
  beforeEach(async () => {
    effects = [];
    server = createTestServer({ pipeline: { writeRules: [provenanceOfObservations, watcher] } });
    await server.http.put('/Patient/p').set('Content-Type', fhirJson).send(patient({ id: 'p' } as Partial<Patient>)).expect(201);
  });
  afterEach(() => server.close());

  it('writes the effect in the same transaction, after the write, through the rules, marked with its rule', async () => {
    await server.http.put('/Observation/o1').set('Content-Type', fhirJson).send({ ...observation('p'), id: 'o1' }).expect(201);
    assert.equal((await server.http.get('/Provenance/prov-o1')).status, 200);
    assert.deepEqual(effects, ['Provenance/prov-o1 by test-provenance for Observation/o1']);
  });

  it('rolls the write back when its effect is refused, and the effect when the write is', async () => {
    const res = await server.http.put('/Observation/o2').set('Content-Type', fhirJson).send({ ...observation('p'), id: 'o2', status: 'cancelled' });
    assert.equal(res.status, 422);
    assert.equal(res.body.issue[0].diagnostics, 'write rule: test-watcher');
    assert.equal((await server.http.get('/Observation/o2')).status, 404);
    assert.equal((await server.http.get('/Provenance/prov-o2')).status, 404);
  });

  it('runs the effects of a transaction Bundle at its end, all or nothing', async () => {
    const bundle = (status: string): Bundle => ({
      resourceType: 'Bundle',
      type: 'transaction',
      entry: ['t1', 't2'].map((id, i) => ({
        resource: { ...observation('p'), id, status: i === 1 ? status : 'final' } as Observation,
        request: { method: 'PUT', url: `Observation/${id}` },
      })),
    });
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(bundle('cancelled'))).status, 422);
    assert.equal((await server.http.get('/Provenance/prov-t1')).status, 404, 'the first entry\'s effect rolled back too');
    assert.equal((await server.http.post('/').set('Content-Type', fhirJson).send(bundle('final'))).status, 200);
    assert.equal((await server.http.get('/Provenance/prov-t2')).status, 200);
  });
});
