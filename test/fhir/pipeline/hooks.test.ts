// Hooks at dispatch (server/fhir/pipeline/hooks.ts): every route of the route table reaches the hooks
// with its interaction code; `before` can refuse a request, a batch entry or a transaction entry (which
// rolls the whole transaction back); `after` sees the outcome and every resource returned.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { FhirError, issue } from '../../../server/outcomes';
import type { HookCall, HookResult, RequestHook } from '../../../server/fhir/pipeline/hooks';
import type { InteractionCode } from '../../../server/fhir/pipeline/interaction';
import { routes, type Route } from '../../../server/fhir/routes';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

interface Seen {
  call: HookCall;
  result?: HookResult;
}

/** A hook that records what it sees and refuses what `refuse` says. */
function recordingHook(seen: Seen[], refuse: (call: HookCall) => boolean = () => false): RequestHook {
  return {
    name: 'test-recorder',
    before(call) {
      seen.push({ call });
      if (refuse(call)) {
        throw new FhirError(403, [issue('forbidden', `test hook refuses ${call.interaction.code}`)]);
      }
    },
    after(call, result) {
      const entry = [...seen].reverse().find((s) => s.call === call);
      assert.ok(entry, 'after follows before for the same call');
      entry.result = result;
    },
  };
}

/** A request for a route: its path with the parameters filled in, and a body where the method takes one. */
function requestFor(route: Route): { method: string; path: string; body?: unknown; expected: InteractionCode[] } {
  const operationType = route.operation && route.operation.resourceTypes !== '*' ? route.operation.resourceTypes[0] : 'Patient';
  const path = route.pattern
    .map((part) => ({ ':type': operationType, ':id': 'p1', ':vid': '1', ':searchType': 'Observation' })[part] ?? part)
    .join('/');
  const conditional = route.conditional ? '?identifier=https://fhir.test/sid/clinic-mrn|none' : '';
  const codes: InteractionCode[] = typeof route.interaction === 'function' ? ['batch', 'transaction'] : [route.interaction];
  const body =
    route.pattern.length === 0
      ? undefined
      : route.method === 'PATCH'
        ? [{ op: 'add', path: '/active', value: true }]
        : route.method === 'POST' || route.method === 'PUT'
          ? { resourceType: operationType, id: 'p1' }
          : undefined;
  return { method: route.method, path: `/${path}${conditional}`, body, expected: codes };
}

describe('pipeline hooks', () => {
  let server: TestServer;
  let seen: Seen[];
  let refuse: (call: HookCall) => boolean;
  beforeEach(async () => {
    seen = [];
    refuse = () => false;
    server = createTestServer({ pipeline: { hooks: [recordingHook(seen, (call) => refuse(call))] } });
    await server.http.put('/Patient/p1').set('Content-Type', fhirJson).send(patient({ id: 'p1' })).expect(201);
    seen.length = 0;
  });
  afterEach(() => server.close());

  it('gives every route of the route table its interaction code, conditional and _search routes included', async () => {
    const table = [{ method: 'GET', pattern: ['metadata'], interaction: 'capabilities' } as Route, ...routes];
    for (const route of table) {
      for (const [i, expected] of requestFor(route).expected.entries()) {
        const { method, path, body } = requestFor(route);
        seen.length = 0;
        const bundle = route.pattern.length === 0 ? { resourceType: 'Bundle', type: i === 0 ? 'batch' : 'transaction', entry: [] } : body;
        const req = server.http[method.toLowerCase() as 'get'](path);
        const contentType = method === 'PATCH' ? 'application/json-patch+json' : route.pattern.at(-1) === '_search' ? 'application/x-www-form-urlencoded' : fhirJson;
        if (bundle !== undefined) {
          await req.set('Content-Type', contentType).send(contentType === fhirJson ? (bundle as object) : JSON.stringify(bundle));
        } else {
          await req;
        }
        const first = seen[0]?.call.interaction;
        assert.ok(first, `${method} ${path}: the hooks saw the request`);
        assert.equal(first.code, expected, `${method} ${path}`);
        if (route.operation) {
          assert.equal(first.operation, route.operation.name, `${method} ${path}`);
        }
        assert.equal(!!first.conditional, !!route.conditional, `${method} ${path} conditional`);
        assert.ok(seen[0].result, `${method} ${path}: after ran`);
      }
    }
  });

  it('names the compartment of a compartment search and the caller of every request', async () => {
    await server.http.get('/Patient/p1/Observation').expect(200);
    const { interaction, caller } = seen[0].call;
    assert.deepEqual(interaction, { code: 'search-compartment', resourceType: 'Observation', compartment: { resourceType: 'Patient', id: 'p1' } });
    // Security is on in the test server: the helper's token is an administrator's.
    assert.equal(caller.kind, 'user');
    assert.ok(caller.roles.includes('administrator'));
  });

  it('lets before refuse a read: the error is answered, and after sees it', async () => {
    refuse = (call) => call.interaction.code === 'read';
    const res = await server.http.get('/Patient/p1');
    assert.equal(res.status, 403);
    assert.equal(res.body.issue[0].code, 'forbidden');
    assert.equal(seen[0].result?.error?.status, 403);
    assert.deepEqual(seen[0].result?.resources, []);
    assert.equal((await server.http.get('/Patient/p1/_history/1')).status, 200, 'vread is another interaction');
  });

  it('shows after every resource returned, _include and _revinclude ones too', async () => {
    await server.http.put('/Observation/o1').set('Content-Type', fhirJson).send({ ...observation('p1'), id: 'o1' }).expect(201);
    seen.length = 0;
    await server.http.get('/Observation?_id=o1&_include=Observation:subject').expect(200);
    const keys = seen[0].result?.resources.map((r: Resource) => `${r.resourceType}/${r.id}`);
    assert.deepEqual(keys, ['Observation/o1', 'Patient/p1']);
  });

  it('runs each batch entry through the hooks on its own: a refused entry fails alone', async () => {
    refuse = (call) => call.entry !== undefined && call.interaction.code === 'delete';
    const batch: Bundle = {
      resourceType: 'Bundle',
      type: 'batch',
      entry: [
        { request: { method: 'GET', url: 'Patient/p1' } },
        { request: { method: 'DELETE', url: 'Patient/p1' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(batch).expect(200);
    assert.deepEqual(res.body.entry.map((e: { response: { status: string } }) => e.response.status), ['200 OK', '403 Forbidden']);
    assert.deepEqual(
      seen.map((s) => [s.call.interaction.code, s.call.entry?.index]),
      [['batch', undefined], ['read', 0], ['delete', 1]]
    );
    assert.equal((await server.http.get('/Patient/p1')).status, 200);
  });

  it('refuses one entry of a transaction before anything runs, and the whole transaction with it', async () => {
    refuse = (call) => call.entry?.index === 1;
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { resource: { ...patient(), id: 'p2' }, request: { method: 'PUT', url: 'Patient/p2' } },
        { resource: { ...observation('p2'), id: 'o2' }, request: { method: 'PUT', url: 'Observation/o2' } },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(transaction);
    assert.equal(res.status, 403);
    assert.match(res.body.issue[0].details.text, /Bundle\.entry\[1\]/);
    assert.equal((await server.http.get('/Patient/p2')).status, 404, 'nothing of the transaction was stored');
    const entries = seen.filter((s) => s.call.entry);
    assert.deepEqual(entries.map((s) => [s.call.interaction.code, s.call.entry?.index, s.result?.error?.status]), [
      ['update', 0, 403],
      ['update', 1, 403],
    ]);
  });

  it('tells after of each transaction entry its response once the transaction committed', async () => {
    const transaction: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        { fullUrl: 'urn:uuid:9e0f0a6e-0000-4000-8000-000000000001', resource: patient(), request: { method: 'POST', url: 'Patient' } },
        { resource: observation('x', { subject: { reference: 'urn:uuid:9e0f0a6e-0000-4000-8000-000000000001' } }), request: { method: 'POST', url: 'Observation' } },
      ],
    };
    await server.http.post('/').set('Content-Type', fhirJson).send(transaction).expect(200);
    const entries = seen.filter((s) => s.call.entry);
    assert.deepEqual(entries.map((s) => [s.call.interaction.code, s.result?.response?.status]), [
      ['create', 201],
      ['create', 201],
    ]);
    const [createdPatient] = entries[0].result?.resources ?? [];
    assert.equal(createdPatient.resourceType, 'Patient');
  });
});
