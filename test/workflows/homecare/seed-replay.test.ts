// The start-up seed with the home-care workflow replayed through the FHIR core (seed/workflows/
// homecare-replay.ts), on a core built as main.ts builds it: the security policy and the write rules
// (integrity and the workflows') on. The generated home care and the replayed orders are all accepted, and
// the replay shows each path: completed with a Procedure of the same patient, declined and passed on,
// not eligible and revoked, left with the nurse.
import type { Bundle, Procedure, ServiceRequest, Task } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import path from 'node:path';
import pino from 'pino';
import { inProcess } from '../../../seed/load';
import { networkDirectory } from '../../../seed/network/directory';
import { patientId } from '../../../seed/patients/patient-record';
import { accountNurse } from '../../../seed/workflows/account-nurse';
import { replayedOrders } from '../../../seed/workflows/homecare-replay';
import { withSecurity } from '../../../server/auth/enforcement';
import { createFhirCore, type FhirCore } from '../../../server/fhir-core';
import { integrityRules } from '../../../server/integrity/integrity-rules';
import { SearchParameterRegistry } from '../../../server/search/indexing/registry';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { loadNetworkSearchParameters } from '../../../server/search/network-search-parameters';
import { seedOnStartup } from '../../../server/seed/startup-seed';
import { workflowRules } from '../../../server/workflows/workflow-rules';
import { loadNetworkContent } from '../../helpers/network-server';
import { memoryStore, testBaseUrl, testConfig } from '../../helpers/test-server';
import { repoRoot } from '../../profiles/profile-validation';

const logger = pino({ level: 'silent' });
const workflow = 'https://fhir.dhc.example/CodeSystem/home-care-workflow';

describe('home care: the start-up seed replays the workflow through the API', function () {
  this.timeout(600_000);
  let core: FhirCore;

  const search = async <T>(type: string, query: string): Promise<T[]> => {
    const reply = await inProcess(core, logger, { method: 'GET', path: type, query: `${query}&_count=1000`, headers: {} });
    assert.equal(reply.status, 200);
    return ((reply.body as Bundle).entry ?? []).map((e) => e.resource as T);
  };

  before(async () => {
    const registry = new SearchParameterRegistry(loadNetworkSearchParameters(path.join(repoRoot, 'profiles')));
    const store = memoryStore(createResourceIndexer(registry));
    await loadNetworkContent(store);
    const writeRules = [...integrityRules({ baseUrl: testBaseUrl }), ...workflowRules];
    core = createFhirCore({ config: testConfig, store, registry, pipeline: withSecurity({ writeRules }) });
    // 130 patients: with this seed value, patient 129 is the first with generated visits, which must pass the rules too.
    const outcome = await seedOnStartup(core, logger, { patients: 130, seedValue: 20261123 });
    assert.equal(outcome.outcome, 'seeded');
  });

  it('stores the generated home care: assessments, and visits with their check-in and Procedure', async () => {
    const generated = await search<Task>('Task', `code=${workflow}|home-visit&status=completed`);
    const fromGenerator = generated.filter((t) => !t.focus?.reference?.startsWith('ServiceRequest/hc-replay-'));
    assert.ok(fromGenerator.length > 0, 'the generated patients have completed visits');
    const record = fromGenerator[0].output?.find((o) => o.type.coding?.some((c) => c.code === 'visit-record'))?.valueReference?.reference as string;
    assert.match(record, /^Procedure\//);
  });

  it('replays every order: completed ones with a Procedure of the same patient, declined ones passed to another nurse, ineligible ones revoked', async () => {
    const ids = Array.from({ length: replayedOrders }, (_, k) => `hc-replay-${k}`);
    const replayed = await search<{ id: string; status: string }>('ServiceRequest', `_id=${ids.join(',')}&_elements=status`);
    assert.equal(replayed.length, replayedOrders);
    const byStatus = (status: string): number => replayed.filter((r) => r.status === status).length;
    assert.equal(byStatus('revoked'), 3);
    assert.ok(byStatus('completed') >= 15, `${byStatus('completed')} completed`);
    const visits = (await search<Task>('Task', `code=${workflow}|home-visit`)).filter((t) => t.focus?.reference?.startsWith('ServiceRequest/hc-replay-'));
    for (const visit of visits.filter((t) => t.status === 'completed')) {
      const record = visit.output?.[0]?.valueReference?.reference as string;
      const procedure = (await inProcess(core, logger, { method: 'GET', path: record, headers: {} })).body as Procedure;
      assert.equal(procedure.subject?.reference, visit.for?.reference);
    }
    for (const k of [2, 9, 16, 23]) {
      const ofOrder = visits.filter((t) => t.focus?.reference === `ServiceRequest/hc-replay-${k}`);
      const declined = ofOrder.find((t) => t.status === 'rejected');
      const next = ofOrder.find((t) => t.status !== 'rejected');
      assert.ok(declined && next, `order ${k}: ${ofOrder.map((t) => t.status).join(', ')}`);
      assert.notEqual(next.owner?.reference, declined.owner?.reference);
    }
    assert.ok(visits.some((t) => t.status === 'requested') && visits.some((t) => t.status === 'accepted'));
  });

  it("dispatches the first order, of a patient in her area, to the nurse behind the seeded `nurse` account", async () => {
    const account = accountNurse(networkDirectory(), { seedValue: 20261123, patients: 130 });
    assert.ok(account);
    const [order] = await search<ServiceRequest>('ServiceRequest', '_id=hc-replay-0');
    assert.equal(order.subject?.reference, `Patient/${patientId(account.patientIndex)}`);
    const visits = await search<Task>('Task', `focus=ServiceRequest/hc-replay-0&code=${workflow}|home-visit`);
    assert.ok(visits.some((t) => t.owner?.reference === `PractitionerRole/${account.nurse.roleId}`), JSON.stringify(visits.map((t) => t.owner)));
  });
});
