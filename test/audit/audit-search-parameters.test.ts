// The AuditEvent search parameters indexed (server/audit/audit-search-parameters.ts): the server's own
// events get index rows for exactly the parameters auditors search by, and no others.
import type { Observation } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { auditEventSearchCodes } from '../../server/audit/audit-search-parameters';
import { restEvents } from '../../server/audit/events-rest';
import { loadResourceDefinitions } from '../../server/fhir/resource-definitions';
import type { Caller } from '../../server/fhir/pipeline/caller';
import type { HookCall } from '../../server/fhir/pipeline/hooks';
import { extractIndexEntries, SearchParameterRegistry } from '../../server/search/indexing/index-entries';

describe('the AuditEvent search parameters indexed', () => {
  it('gives a read’s event rows for date, agent, entity, patient, type, subtype, action, outcome and source only', () => {
    loadResourceDefinitions();
    const registry = new SearchParameterRegistry();
    assert.deepEqual(new Set(registry.forType('AuditEvent').map((p) => p.code).filter((c) => !c.startsWith('_'))), auditEventSearchCodes);
    const caller: Caller = { kind: 'user', user: 'PractitionerRole/pr-1', account: 'dr-1', clientId: 'emr', organizations: [], roles: ['clinician'], scopes: [], sourceAddress: '10.0.0.1' };
    const observation: Observation = { resourceType: 'Observation', id: 'o1', meta: { versionId: '2' }, status: 'final', code: {}, subject: { reference: 'Patient/p1' } };
    const call = { request: { method: 'GET', path: 'Observation/o1/_history/2', query: new URLSearchParams(), headers: {}, caller }, interaction: { code: 'vread', resourceType: 'Observation', id: 'o1', versionId: '2' }, caller, context: {} } as unknown as HookCall;
    const [event] = restEvents(call, { response: { status: 200, body: observation }, resources: [observation] }, 'https://fhir.example.org');
    const entries = extractIndexEntries(event, registry);
    const rows = Object.values(entries).flat() as { param: string }[];
    assert.deepEqual(new Set(rows.map((r) => r.param)), auditEventSearchCodes);
    // The user, the client and this server; the Observation and its patient.
    assert.equal(rows.filter((r) => r.param === 'agent').length, 3);
    assert.equal(rows.filter((r) => r.param === 'entity').length, 2);
    assert.equal(rows.length, 12);
  });
});
