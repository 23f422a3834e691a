// Result restrictions (server/fhir/pipeline/restricted-store.ts, applied by the store adapter): what a
// caller may not see is left out inside the queries, so that pages stay full and totals right across
// plain searches, chains, _has, _include/_revinclude with :iterate, history and $everything.
import type { Bundle, Encounter, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { anonymousCaller, type Caller } from '../../../server/fhir/pipeline/caller';
import { compartmentFilter } from '../../../server/search/compartments';
import type { ResultRestriction } from '../../../server/search/plan';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, type TestServer } from '../../helpers/test-server';

/** Patient p1's own data only. */
const p1Only: ResultRestriction = {
  byType: {
    Patient: [{ kind: 'id', ids: ['p1'] }],
    Observation: [compartmentFilter('Patient', 'p1', 'Observation')],
    Encounter: [compartmentFilter('Patient', 'p1', 'Encounter')],
  },
  otherTypes: 'none',
};

/** Every patient, but only p1's observations. */
const p1Observations: ResultRestriction = {
  byType: { Observation: [compartmentFilter('Patient', 'p1', 'Observation')] },
  otherTypes: 'all',
};

const scopes: Record<string, ResultRestriction> = { 'p1-only': p1Only, 'p1-observations': p1Observations };

const encounter = (id: string, patientId: string): Encounter => ({
  resourceType: 'Encounter',
  id,
  status: 'finished',
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  subject: { reference: `Patient/${patientId}` },
});

const code = (c: string) => ({ code: { coding: [{ system: 'http://loinc.org', code: c }] } });

describe('pipeline result restrictions', () => {
  let server: TestServer;
  before(async () => {
    // The test caller names its scope in a header; the restriction follows from the caller.
    server = createTestServer({
      identify: (req) => ({ ...anonymousCaller(), scopes: [String(req.headers['x-test-scope'] ?? '')] }),
      pipeline: { restrict: (caller: Caller) => scopes[caller.scopes[0]] },
    });
    const data: Resource[] = [
      patient({ id: 'p1', gender: 'female' }),
      patient({ id: 'p2', gender: 'male' }),
      encounter('e1', 'p1'),
      encounter('e2', 'p2'),
      { ...observation('p1', code('A')), id: 'o1a', encounter: { reference: 'Encounter/e1' } },
      { ...observation('p1', code('A')), id: 'o1b' },
      // p1's observation recorded at p2's encounter: the encounter stays hidden from p1's scope.
      { ...observation('p1', code('A')), id: 'o1c', encounter: { reference: 'Encounter/e2' } },
      { ...observation('p2', code('A')), id: 'o2a', encounter: { reference: 'Encounter/e1' } },
      { ...observation('p2', code('B')), id: 'o2b' },
      { ...observation('p2', code('A')), id: 'o2c' },
    ];
    for (const resource of data) {
      await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource).expect(201);
    }
  });
  after(() => server.close());

  const get = async (url: string, scope?: string): Promise<Bundle> => {
    const req = server.http.get(url);
    const res = await (scope ? req.set('X-Test-Scope', scope) : req);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Bundle;
  };
  const ids = (bundle: Bundle, mode = 'match'): string[] =>
    (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => e.resource!.id as string).sort();

  it('keeps pages full and the total right', async () => {
    assert.equal((await get('/Observation?_total=accurate')).total, 6, 'unrestricted');
    const first = await get('/Observation?_count=2&_total=accurate', 'p1-only');
    assert.equal(first.total, 3);
    assert.equal(first.entry?.length, 2);
    const next = first.link?.find((l) => l.relation === 'next')?.url.replace('http://fhir.test', '');
    assert.ok(next);
    const second = await get(next, 'p1-only');
    assert.deepEqual([...ids(first), ...ids(second)].sort(), ['o1a', 'o1b', 'o1c']);
    assert.equal((await get('/Observation?_summary=count', 'p1-only')).total, 3);
    assert.equal((await get('/Patient?_summary=count', 'p1-only')).total, 1);
  });

  it('matches chains only through targets the caller may see', async () => {
    assert.deepEqual(ids(await get('/Observation?encounter:Encounter.status=finished')), ['o1a', 'o1c', 'o2a']);
    assert.deepEqual(ids(await get('/Observation?encounter:Encounter.status=finished', 'p1-only')), ['o1a']);
  });

  it('lets _has count only sources the caller may see', async () => {
    assert.deepEqual(ids(await get('/Patient?_has:Observation:subject:code=B')), ['p2']);
    assert.deepEqual(ids(await get('/Patient?_has:Observation:subject:code=B', 'p1-observations')), []);
    assert.deepEqual(ids(await get('/Patient?_has:Observation:subject:code=A', 'p1-observations')), ['p1']);
  });

  it('adds through _include and _revinclude, with :iterate, only what the caller may see', async () => {
    const open = await get('/Encounter?_id=e1&_revinclude=Observation:encounter&_include:iterate=Observation:subject');
    assert.deepEqual(ids(open, 'include'), ['o1a', 'o2a', 'p1', 'p2']);
    const restricted = await get('/Encounter?_id=e1&_revinclude=Observation:encounter&_include:iterate=Observation:subject', 'p1-only');
    assert.deepEqual(ids(restricted, 'include'), ['o1a', 'p1'], 'o2a is hidden, and p2 is not reached through it');
    const hiddenTarget = await get('/Observation?_id=o1c&_include=Observation:encounter', 'p1-only');
    assert.deepEqual(ids(hiddenTarget), ['o1c']);
    assert.deepEqual(ids(hiddenTarget, 'include'), []);
  });

  it('lists in history only the versions of resources the caller may see', async () => {
    const history = await get('/Observation/_history?_count=100', 'p1-only');
    assert.deepEqual(history.entry?.map((e) => e.resource!.id).sort(), ['o1a', 'o1b', 'o1c']);
    const system = await get('/_history?_count=100', 'p1-only');
    assert.deepEqual(system.entry?.map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort(), [
      'Encounter/e1',
      'Observation/o1a',
      'Observation/o1b',
      'Observation/o1c',
      'Patient/p1',
    ]);
    // A hidden resource's own history is unknown, as its read is.
    assert.equal((await server.http.get('/Observation/o2a/_history').set('X-Test-Scope', 'p1-only')).status, 404);
  });

  it('keeps $everything to what the caller may see, and another patient unknown', async () => {
    const everything = await get('/Patient/p1/$everything?_count=100', 'p1-only');
    const found = (everything.entry ?? []).map((e) => `${e.resource!.resourceType}/${e.resource!.id}`).sort();
    assert.deepEqual(found, ['Encounter/e1', 'Observation/o1a', 'Observation/o1b', 'Observation/o1c', 'Patient/p1']);
    const other = await server.http.get('/Patient/p2/$everything').set('X-Test-Scope', 'p1-only');
    assert.equal(other.status, 404);
  });

  it('finds nothing on a read or vread of a resource the caller may not see', async () => {
    assert.equal((await server.http.get('/Observation/o2a').set('X-Test-Scope', 'p1-only')).status, 404);
    assert.equal((await server.http.get('/Observation/o2a/_history/1').set('X-Test-Scope', 'p1-only')).status, 404);
    assert.equal((await server.http.get('/Observation/o1a').set('X-Test-Scope', 'p1-only')).status, 200);
    assert.equal((await server.http.get('/Medication?_summary=count').set('X-Test-Scope', 'p1-only')).body.total, 0);
  });
});
