// The AuditEvent search entries read directly (server/audit/audit-search-entries.ts) against the generic
// indexer (FHIRPath plans over R4's definitions): the same entries, in the same order, for every event
// the server builds (property-based over callers, interactions, outcomes and results), and no direct
// reading of a shape it does not recognise (the store then uses the indexer).
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { auditSearchEntries } from '../../server/audit/audit-search-entries';
import { authEvent } from '../../server/audit/events-auth';
import { restEvents } from '../../server/audit/events-rest';
import type { Caller } from '../../server/fhir/pipeline/caller';
import type { HookCall, HookResult } from '../../server/fhir/pipeline/hooks';
import type { InteractionCode } from '../../server/fhir/pipeline/interaction';
import type { FhirContext } from '../../server/fhir/request';
import { loadResourceDefinitions } from '../../server/fhir/resource-definitions';
import { ensureFhirSchema } from '../../server/search/indexing/fhir-schema';
import { SearchParameterRegistry } from '../../server/search/indexing/registry';
import { createResourceIndexer } from '../../server/search/indexing/resource-indexer';
import type { ResourceIndexer } from '../../server/search/indexing/types';

const base = 'https://fhir.example.org';
const codes: InteractionCode[] = ['read', 'vread', 'history-instance', 'create', 'update', 'patch', 'delete', 'search-type', 'search-system', 'search-compartment', 'history-type', 'history-system', 'operation', 'batch', 'transaction'];
const id = fc.stringMatching(/^[A-Za-z0-9\-.]{1,12}$/);

const callers: fc.Arbitrary<Caller> = fc.record(
  {
    kind: fc.constantFrom('user' as const, 'client' as const, 'anonymous' as const),
    user: fc.oneof(id.map((i) => `PractitionerRole/${i}`), id.map((i) => `Patient/${i}`), id.map((i) => `RelatedPerson/${i}`)),
    account: id,
    clientId: id,
    sourceAddress: fc.constantFrom('10.20.30.40', '::1', '2001:db8::7'),
    organizations: fc.constant([]),
    roles: fc.constant([]),
    scopes: fc.constant([]),
  },
  { requiredKeys: ['kind', 'organizations', 'roles', 'scopes'] }
);

const resources: fc.Arbitrary<Resource> = fc.oneof(
  id.map((i): Resource => ({ resourceType: 'Patient', id: i, meta: { versionId: '2' } })),
  fc.tuple(id, id).map(([i, p]): Resource => ({ resourceType: 'Observation', id: i, status: 'final', code: {}, subject: { reference: `Patient/${p}` } })),
  fc.tuple(id, id).map(([i, p]): Resource => ({ resourceType: 'Encounter', id: i, status: 'finished', class: { code: 'AMB' }, subject: { reference: `Patient/${p}` } }))
);

const calls = fc.record({
  code: fc.constantFrom(...codes),
  resourceType: fc.constantFrom(undefined, 'Patient', 'Observation', 'Encounter'),
  id: fc.option(id, { nil: undefined }),
  versionId: fc.option(fc.constantFrom('1', '3'), { nil: undefined }),
  operation: fc.option(fc.constantFrom('everything', 'validate'), { nil: undefined }),
  conditional: fc.boolean(),
  compartment: fc.option(id, { nil: undefined }),
  query: fc.constantFrom('', 'identifier=http://ids|110101199001011234', '_count=5&date=ge2026'),
  entry: fc.option(fc.nat(80), { nil: undefined }),
  caller: callers,
  status: fc.constantFrom(200, 201, 204, 400, 401, 403, 404, 409, 422, 500, 503),
  returned: fc.array(resources, { maxLength: 4 }),
  sent: fc.option(resources, { nil: undefined }),
});

type Call = typeof calls extends fc.Arbitrary<infer T> ? T : never;

function eventsOf(c: Call): AuditEvent[] {
  const call = {
    request: { method: 'GET', path: c.resourceType ?? '', query: new URLSearchParams(c.query), headers: {}, caller: c.caller, body: c.sent },
    interaction: {
      code: c.code,
      ...(c.resourceType ? { resourceType: c.resourceType } : {}),
      ...(c.id ? { id: c.id } : {}),
      ...(c.versionId ? { versionId: c.versionId } : {}),
      ...(c.code === 'operation' && c.operation ? { operation: c.operation } : {}),
      ...(c.conditional ? { conditional: true } : {}),
      ...(c.compartment ? { compartment: { resourceType: 'Patient', id: c.compartment } } : {}),
    },
    caller: c.caller,
    context: {} as FhirContext,
    ...(c.entry === undefined ? {} : { entry: { bundleType: 'transaction', index: c.entry } }),
  } as unknown as HookCall;
  const ok = c.status < 400;
  const result: HookResult = ok
    ? { response: { status: c.status, body: c.returned.length === 1 ? (c.returned[0] as never) : undefined }, resources: c.returned }
    : ({ error: { status: c.status, outcome: { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'forbidden' }] } }, resources: [] } as unknown as HookResult);
  return restEvents(call, result, base);
}

/** As the store writes an event: with its meta. */
const stored = (event: AuditEvent): AuditEvent => ({ ...event, meta: { versionId: '1', lastUpdated: '2026-12-06T20:00:00.000Z' } });

describe('AuditEvent search entries read directly', () => {
  let indexer: ResourceIndexer;
  let resourceTypes: ReadonlySet<string>;

  before(() => {
    loadResourceDefinitions();
    indexer = createResourceIndexer(new SearchParameterRegistry());
    resourceTypes = ensureFhirSchema().resourceTypes;
  });

  it('gives the generic indexer’s entries for every REST event the server builds', () => {
    fc.assert(
      fc.property(calls, (c) => {
        for (const event of eventsOf(c).map(stored)) {
          const direct = auditSearchEntries(event, resourceTypes);
          assert.ok(direct, 'a server-built event is read directly');
          assert.deepEqual(direct, indexer(event));
        }
      }),
      { numRuns: 300 }
    );
  });

  it('gives the generic indexer’s entries for the authorization server’s events', () => {
    fc.assert(
      fc.property(
        fc.record(
          {
            kind: fc.constantFrom('login' as const, 'token' as const, 'bearer' as const),
            success: fc.boolean(),
            user: id.map((i) => `Practitioner/${i}`),
            account: id,
            clientId: id,
            sourceAddress: fc.constant('10.1.2.3'),
            grantType: fc.constantFrom('client_credentials', 'authorization_code'),
            reason: fc.constantFrom('invalid_grant', 'expired'),
          },
          { requiredKeys: ['kind', 'success'] }
        ),
        (auth) => {
          const event = stored(authEvent(auth, base));
          const direct = auditSearchEntries(event, resourceTypes);
          assert.ok(direct);
          assert.deepEqual(direct, indexer(event));
        }
      ),
      { numRuns: 100 }
    );
  });

  it('reads absolute, versioned, identifier-only and display-only references as the indexer does', () => {
    const event: AuditEvent = {
      resourceType: 'AuditEvent',
      id: 'x',
      type: { code: 'rest' },
      recorded: '2026-12-06T08:00:00+08:00',
      agent: [
        { who: { reference: 'https://other.example.org/fhir/Patient/p9' }, requestor: true },
        { who: { identifier: { value: 'only-a-value' } }, requestor: false },
        { who: { display: 'nobody' }, requestor: false },
        { requestor: false },
      ],
      source: { observer: { reference: 'Device/d1' } },
      entity: [{ what: { reference: 'Patient/p1/_history/4' } }, { what: { reference: 'urn:uuid:5d1f' } }, { what: { type: 'Patient', identifier: { system: 's', value: 'v' } } }, {}],
    };
    const direct = auditSearchEntries(event, resourceTypes);
    assert.ok(direct);
    assert.deepEqual(direct, indexer(event));
  });

  it('leaves to the indexer a shape it does not read', () => {
    const odd = [
      { subtype: { code: 'read' } },
      { agent: [{ who: [{ reference: 'Patient/p1' }] }] },
      { entity: [null] },
      { recorded: 20261206 },
      { source: [{ observer: { display: 'x' } }] },
    ];
    for (const part of odd) {
      const event = { resourceType: 'AuditEvent', id: 'x', recorded: '2026-12-06T00:00:00Z', agent: [], source: {}, ...part } as unknown as AuditEvent;
      assert.equal(auditSearchEntries(event, resourceTypes), undefined, JSON.stringify(part));
    }
  });
});
