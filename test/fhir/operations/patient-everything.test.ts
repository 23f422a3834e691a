// GET Patient/[id]/$everything: the patient's compartment, the resources it refers to, _type, _since,
// cursor paging and errors (https://hl7.org/fhir/R4/patient-operation-everything.html).
import type {
  Bundle,
  CapabilityStatement,
  Condition,
  Encounter,
  Medication,
  MedicationRequest,
  Observation,
  Organization,
  Practitioner,
  Resource,
} from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { encodeCursor } from '../../../server/store/cursor';
import { observation, patient } from '../../helpers/fixtures';
import { createTestServer, fhirJson, testBaseUrl, type TestServer } from '../../helpers/test-server';

const encounter = (id: string, subject: string, extra: Partial<Encounter> = {}): Encounter => ({
  resourceType: 'Encounter',
  id,
  status: 'finished',
  class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
  subject: { reference: `Patient/${subject}` },
  ...extra,
});
const condition = (id: string, subject: string): Condition => ({
  resourceType: 'Condition',
  id,
  code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'I10' }] },
  subject: { reference: `Patient/${subject}` },
});
const medicationRequest = (id: string, subject: string, medication: string, requester: string): MedicationRequest => ({
  resourceType: 'MedicationRequest',
  id,
  status: 'active',
  intent: 'order',
  subject: { reference: `Patient/${subject}` },
  medicationReference: { reference: `Medication/${medication}` },
  requester: { reference: `Practitioner/${requester}` },
});
const practitioner = (id: string): Practitioner => ({ resourceType: 'Practitioner', id, name: [{ family: '李' }] });
const medication = (id: string): Medication => ({
  resourceType: 'Medication',
  id,
  code: { coding: [{ system: 'http://www.whocc.no/atc', code: 'C09AA05' }] },
});
const organization = (id: string): Organization => ({ resourceType: 'Organization', id, name: '和平区社区卫生服务中心' });

/** Patient p-a's compartment, but for the Provenance of its write: what $everything must return as matches. */
const compartmentRecordsOfA = [
  'Patient/p-a',
  'Encounter/enc-a1',
  'Encounter/enc-a2',
  'Observation/obs-a1',
  'Observation/obs-a-self',
  'Observation/obs-a-by-b',
  'Condition/cond-a',
  'MedicationRequest/mr-a',
].sort();
/** What p-a's resources refer to outside the compartment. */
const referencedByA = ['Organization/org-1', 'Practitioner/dr-li', 'Medication/med-1'].sort();
/** Patient p-b and what belongs to or is referred to only by p-b, plus a deleted resource of p-a. */
const neverInA = [
  'Patient/p-b',
  'Encounter/enc-b',
  'Observation/obs-b',
  'MedicationRequest/mr-b',
  'Practitioner/dr-wu',
  'Medication/med-2',
  'Observation/obs-a-deleted',
];

const key = (r: Resource): string => `${r.resourceType}/${r.id}`;
const withMode = (bundle: Bundle, mode: string): string[] =>
  (bundle.entry ?? []).filter((e) => e.search?.mode === mode).map((e) => key(e.resource!));
const nextLink = (bundle: Bundle): string | undefined =>
  bundle.link?.find((l) => l.relation === 'next')?.url.replace(testBaseUrl, '');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('Patient $everything', () => {
  let server: TestServer;
  /** With the Provenance recording p-a's write (docs/audit.md): its target is the patient, so it is in the compartment. */
  let compartmentOfA: string[];

  async function put<T extends Resource>(resource: T): Promise<T> {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
    assert.ok(res.status === 200 || res.status === 201, JSON.stringify(res.body));
    return res.body as T;
  }

  async function everything(query: string): Promise<Bundle> {
    const res = await server.http.get(query);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    return res.body as Bundle;
  }

  beforeEach(async () => {
    server = createTestServer();
    await put(organization('org-1'));
    await put(practitioner('dr-li'));
    await put(practitioner('dr-wu'));
    await put(medication('med-1'));
    await put(medication('med-2'));
    await put({ ...patient(), id: 'p-a', managingOrganization: { reference: 'Organization/org-1' } });
    await put({ ...patient({ name: [{ family: '张' }] }), id: 'p-b' });
    await put(
      encounter('enc-a1', 'p-a', {
        serviceProvider: { reference: 'Organization/org-1' },
        participant: [{ individual: { reference: 'Practitioner/dr-li' } }],
      })
    );
    await put(encounter('enc-a2', 'p-a'));
    await put(encounter('enc-b', 'p-b'));
    await put({ ...observation('p-a'), id: 'obs-a1', encounter: { reference: 'Encounter/enc-a1' } });
    // In the compartment through two parameters (subject and performer): returned once.
    await put({ ...observation('p-a'), id: 'obs-a-self', performer: [{ reference: 'Patient/p-a' }] });
    // Refers to another patient, who must not come along as a referenced resource.
    await put({ ...observation('p-a'), id: 'obs-a-by-b', performer: [{ reference: 'Patient/p-b' }] });
    await put({ ...observation('p-a'), id: 'obs-a-deleted' });
    await server.http.delete('/Observation/obs-a-deleted').expect(204);
    await put({ ...observation('p-b'), id: 'obs-b', performer: [{ reference: 'Practitioner/dr-wu' }] });
    await put(condition('cond-a', 'p-a'));
    await put(medicationRequest('mr-a', 'p-a', 'med-1', 'dr-li'));
    await put(medicationRequest('mr-b', 'p-b', 'med-2', 'dr-wu'));
    const provenances = (await server.http.get('/Provenance?target=Patient/p-a').expect(200)).body as Bundle;
    assert.equal(provenances.entry?.length, 1);
    compartmentOfA = [...compartmentRecordsOfA, key(provenances.entry![0].resource!)].sort();
  });
  afterEach(() => server.close());

  it('returns the patient, its compartment as matches and what they refer to as includes', async () => {
    const bundle = await everything('/Patient/p-a/$everything');
    assert.equal(bundle.type, 'searchset');
    assert.equal(bundle.entry![0].fullUrl, `${testBaseUrl}/Patient/p-a`);
    const matches = withMode(bundle, 'match');
    assert.deepEqual([...matches].sort(), compartmentOfA);
    assert.equal(new Set(matches).size, matches.length, 'each resource once');
    assert.deepEqual(withMode(bundle, 'include').sort(), referencedByA);
    const all = [...matches, ...withMode(bundle, 'include')];
    for (const other of neverInA) {
      assert.ok(!all.includes(other), `${other} must not be returned`);
    }
    assert.equal(bundle.total, compartmentOfA.length);
    assert.equal(nextLink(bundle), undefined);
  });

  it('returns the current version of each resource', async () => {
    await put({ ...observation('p-a'), id: 'obs-a1', status: 'amended' });
    const bundle = await everything('/Patient/p-a/$everything');
    const obs = bundle.entry!.find((e) => e.resource?.id === 'obs-a1')!.resource as Observation;
    assert.equal(obs.status, 'amended');
    assert.equal(obs.meta?.versionId, '2');
  });

  it('includes patients that link to this one, as the compartment definition says', async () => {
    await put({ ...patient(), id: 'p-a-old', link: [{ other: { reference: 'Patient/p-a' }, type: 'replaced-by' }] });
    // A link to itself (nonsense, but valid) must not bring the patient twice.
    const a = (await server.http.get('/Patient/p-a')).body;
    await put({ ...a, link: [{ other: { reference: 'Patient/p-a' }, type: 'seealso' }] });
    const bundle = await everything('/Patient/p-a/$everything?_type=Patient');
    assert.deepEqual(withMode(bundle, 'match'), ['Patient/p-a', 'Patient/p-a-old']);
    assert.deepEqual(withMode(bundle, 'include'), ['Organization/org-1']);
  });

  it('restricts the types with _type, as one list or repeated', async () => {
    const obsAndCondition = await everything('/Patient/p-a/$everything?_type=Observation,Condition');
    assert.deepEqual(withMode(obsAndCondition, 'match').sort(), [
      'Condition/cond-a',
      'Observation/obs-a-by-b',
      'Observation/obs-a-self',
      'Observation/obs-a1',
    ]);
    // Their references are to the patient and an encounter: in the compartment, so not includes.
    assert.deepEqual(withMode(obsAndCondition, 'include'), []);
    const repeated = await everything('/Patient/p-a/$everything?_type=Condition&_type=Observation');
    assert.deepEqual(withMode(repeated, 'match').sort(), withMode(obsAndCondition, 'match').sort());
    const orders = await everything('/Patient/p-a/$everything?_type=MedicationRequest');
    assert.deepEqual(withMode(orders, 'match'), ['MedicationRequest/mr-a']);
    assert.deepEqual(withMode(orders, 'include').sort(), ['Medication/med-1', 'Practitioner/dr-li']);
  });

  it('returns only what changed at or after _since, referenced resources included', async () => {
    await sleep(5);
    const changed = await put({ ...observation('p-a'), id: 'obs-a1', status: 'amended' });
    await put(condition('cond-a2', 'p-a'));
    // Refers to dr-li and med-1, which have not changed since.
    await put(medicationRequest('mr-a2', 'p-a', 'med-1', 'dr-li'));
    const since = encodeURIComponent(changed.meta!.lastUpdated!);
    const bundle = await everything(`/Patient/p-a/$everything?_since=${since}`);
    assert.deepEqual(withMode(bundle, 'match').sort(), ['Condition/cond-a2', 'MedicationRequest/mr-a2', 'Observation/obs-a1']);
    assert.deepEqual(withMode(bundle, 'include'), []);
    const whole = await everything('/Patient/p-a/$everything?_since=2000-01-01');
    assert.equal(withMode(whole, 'match').length, compartmentOfA.length + 2);
  });

  for (const count of [1, 2, 3, 8]) {
    it(`pages with _count=${count} through next links, every match exactly once and no empty page`, async () => {
      const matches: string[] = [];
      const includes = new Set<string>();
      let url: string | undefined = `/Patient/p-a/$everything?_count=${count}`;
      let pages = 0;
      while (url) {
        const bundle = await everything(url);
        const page = withMode(bundle, 'match');
        assert.ok(page.length > 0 && page.length <= count, `page ${pages + 1} has ${page.length} matches`);
        matches.push(...page);
        withMode(bundle, 'include').forEach((r) => includes.add(r));
        url = nextLink(bundle);
        if (url) {
          assert.match(url, new RegExp(`_count=${count}`));
          assert.match(url, /_cursor=/);
          assert.equal(bundle.total, undefined);
        }
        pages++;
      }
      assert.equal(pages, Math.ceil(compartmentOfA.length / count));
      assert.deepEqual([...matches].sort(), compartmentOfA);
      assert.equal(new Set(matches).size, matches.length, `duplicates in ${matches.join(', ')}`);
      // A referenced resource comes with the page of the resource that refers to it (here, at least once).
      assert.deepEqual([...includes].sort(), referencedByA);
    });
  }

  it('pages within _type and _since, keeping them in the next links', async () => {
    const seen: string[] = [];
    let url: string | undefined = '/Patient/p-a/$everything?_type=Observation,Encounter&_since=2000-01-01&_count=2';
    while (url) {
      const bundle = await everything(url);
      seen.push(...withMode(bundle, 'match'));
      url = nextLink(bundle);
      if (url) {
        assert.match(url, /_type=Observation%2CEncounter/);
        assert.match(url, /_since=2000-01-01/);
      }
    }
    assert.deepEqual(seen.sort(), compartmentOfA.filter((r) => /^(Observation|Encounter)\//.test(r)).sort());
  });

  it('answers _count=0 with no resources and no next link', async () => {
    const bundle = await everything('/Patient/p-a/$everything?_count=0');
    assert.deepEqual(bundle.entry, []);
    assert.equal(nextLink(bundle), undefined);
  });

  it('refuses a tampered or foreign cursor with 400', async () => {
    const first = await everything('/Patient/p-a/$everything?_count=2');
    const cursor = new URL(first.link!.find((l) => l.relation === 'next')!.url).searchParams.get('_cursor')!;
    const tampered = [
      cursor.slice(0, -3) + 'xyz',
      'not-a-cursor',
      encodeCursor(['Practitioner', 'subject', '']),
      encodeCursor(['Observation', 'subject', 'garbage']),
      encodeCursor(['Observation', 'subject', 7]),
    ];
    for (const bad of tampered) {
      const res = await server.http.get(`/Patient/p-a/$everything?_count=2&_cursor=${encodeURIComponent(bad)}`);
      assert.equal(res.status, 400, bad);
      assert.deepEqual(res.body.issue[0].expression, ['_cursor'], bad);
    }
    // A cursor made for one _type does not fit another.
    const obsCursor = encodeCursor(['Observation', 'subject', '']);
    assert.equal((await server.http.get(`/Patient/p-a/$everything?_cursor=${obsCursor}`)).status, 200);
    assert.equal((await server.http.get(`/Patient/p-a/$everything?_type=Condition&_cursor=${obsCursor}`)).status, 400);
  });

  it('answers 404 for an unknown patient and 410 for a deleted one', async () => {
    const unknown = await server.http.get('/Patient/nobody/$everything');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.issue[0].code, 'not-found');
    // A patient nothing refers to any more: a referenced one cannot be deleted.
    await put({ ...patient(), id: 'p-gone' });
    await server.http.delete('/Patient/p-gone').expect(204);
    const deleted = await server.http.get('/Patient/p-gone/$everything');
    assert.equal(deleted.status, 410);
    assert.equal(deleted.body.issue[0].code, 'deleted');
  });

  it('refuses an unknown type and a type outside the compartment in _type with 400 naming it', async () => {
    for (const [type, named] of [
      ['Observation,Nonsense', 'Nonsense'],
      ['Practitioner', 'Practitioner'],
      ['Observation,', "''"],
    ]) {
      const res = await server.http.get(`/Patient/p-a/$everything?_type=${type}`);
      assert.equal(res.status, 400, type);
      assert.equal(res.body.issue[0].code, 'invalid');
      assert.deepEqual(res.body.issue[0].expression, ['_type']);
      assert.ok(res.body.issue[0].details.text.includes(named), res.body.issue[0].details.text);
    }
  });

  it('refuses a malformed _since and a bad _count with 400 naming the parameter', async () => {
    for (const since of ['yesterday', '2024-13-01', '2024-02-30T10:00:00Z']) {
      const res = await server.http.get(`/Patient/p-a/$everything?_since=${since}`);
      assert.equal(res.status, 400, since);
      assert.deepEqual(res.body.issue[0].expression, ['_since']);
    }
    const count = await server.http.get('/Patient/p-a/$everything?_count=-1');
    assert.equal(count.status, 400);
    assert.deepEqual(count.body.issue[0].expression, ['_count']);
  });

  it('reports parameters it does not support, and refuses them under strict handling', async () => {
    const lenient = await everything('/Patient/p-a/$everything?start=2026-01-01');
    const outcome = lenient.entry!.find((e) => e.search?.mode === 'outcome');
    assert.equal(outcome?.resource?.resourceType, 'OperationOutcome');
    assert.equal(withMode(lenient, 'match').length, compartmentOfA.length);
    const strict = await server.http.get('/Patient/p-a/$everything?start=2026-01-01').set('Prefer', 'handling=strict');
    assert.equal(strict.status, 400);
    assert.deepEqual(strict.body.issue[0].expression, ['start']);
  });

  it('is only defined on Patient, and only for GET', async () => {
    const other = await server.http.get('/Observation/obs-a1/$everything');
    assert.equal(other.status, 404);
    assert.match(other.body.issue[0].details.text, /\$everything is defined for Patient/);
    assert.equal((await server.http.get('/Nonsense/x/$everything')).status, 404);
    const post = await server.http.post('/Patient/p-a/$everything').set('Content-Type', fhirJson).send({});
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET');
  });

  it('is declared in the CapabilityStatement for Patient only', async () => {
    const statement = (await server.http.get('/metadata')).body as CapabilityStatement;
    const resources = statement.rest![0].resource!;
    assert.deepEqual(
      resources.find((r) => r.type === 'Patient')!.operation!.filter((o) => o.name === 'everything'),
      [{ name: 'everything', definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything' }]
    );
    const declaring = resources.filter((r) => r.operation?.some((o) => o.name === 'everything')).map((r) => r.type);
    assert.deepEqual(declaring, ['Patient']);
  });
});
