// The token modifiers that need the terminology: :in, :not-in, :above and :below
// (https://hl7.org/fhir/R4/search.html#token), over the network's terminology/ and the base R4 ValueSets,
// alone, OR'd, in chains, _has, compartments and conditional criteria, and at 10,000 codes.
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { maxFilterCodes } from '../../server/search/resolve-terminology-filters';
import { base, icd10, loadTerminology, loinc, valueSetUrl } from '../helpers/terminology';
import { createTestServer, fhirJson, type TestServer } from '../helpers/test-server';
import * as generated from '../terminology/generated-code-system';
import { searchIds } from './search-fixtures';

const clinicalCn = `${base}/CodeSystem/icd-10-cn-clinical-2.0`;
const enc = encodeURIComponent;

function condition(id: string, patient: string, system?: string, code?: string): Resource {
  return {
    resourceType: 'Condition',
    id,
    subject: { reference: `Patient/${patient}` },
    ...(code ? { code: { coding: [{ system, code }] } } : {}),
  } as Resource;
}

function observation(id: string, patient: string, system: string, code: string, encounter?: string): Resource {
  return {
    resourceType: 'Observation',
    id,
    status: 'final',
    code: { coding: [{ system, code }] },
    subject: { reference: `Patient/${patient}` },
    ...(encounter ? { encounter: { reference: `Encounter/${encounter}` } } : {}),
  } as Resource;
}

/** An ambulatory encounter for an ICD-10 reason. */
function encounter(id: string, patient: string, reason: string): Resource {
  return {
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'AMB' },
    subject: { reference: `Patient/${patient}` },
    reasonCode: [{ coding: [{ system: icd10, code: reason }] }],
  } as Resource;
}

const fixtures: Resource[] = [
  { resourceType: 'Patient', id: 'p-a', gender: 'male' },
  { resourceType: 'Patient', id: 'p-b', gender: 'female' },
  { resourceType: 'Patient', id: 'p-c' },
  condition('c-e11', 'p-a', icd10, 'E11'),
  condition('c-e11-0', 'p-a', icd10, 'E11.0'),
  condition('c-e11-9', 'p-a', icd10, 'E11.9'),
  condition('c-e10-9', 'p-a', icd10, 'E10.9'),
  condition('c-cn', 'p-a', clinicalCn, 'E11.900'),
  condition('c-i10', 'p-b', icd10, 'I10'),
  // I10 is in chronic-disease-diagnoses as an ICD-10 code only, and E11.9 nowhere under another system.
  condition('c-cn-i10', 'p-b', clinicalCn, 'I10'),
  condition('c-other-e11-9', 'p-b', 'http://other.example/codes', 'E11.9'),
  condition('c-none', 'p-c'),
  encounter('enc-a', 'p-a', 'E11.9'),
  encounter('enc-b', 'p-b', 'I10'),
  observation('obs-glu', 'p-a', loinc, '14771-0', 'enc-a'),
  observation('obs-hba1c', 'p-b', loinc, '4548-4', 'enc-b'),
  observation('obs-bp', 'p-b', loinc, '85354-9'),
  observation('obs-other-system', 'p-c', 'http://other.example/lab', '14771-0'),
];

async function put(server: TestServer, resources: Resource[]): Promise<void> {
  for (const resource of resources) {
    const res = await server.http.put(`/${resource.resourceType}/${resource.id}`).set('Content-Type', fhirJson).send(resource);
    assert.ok(res.status < 300, `${resource.resourceType}/${resource.id}: ${JSON.stringify(res.body)}`);
  }
}

async function serverWithTerminology(resources: Resource[]): Promise<TestServer> {
  const server = createTestServer();
  await loadTerminology(server);
  await put(server, resources);
  return server;
}

/** A 400 whose first issue has this code and names the parameter; returns its text. */
async function refused(server: TestServer, query: string, parameter: string, code: string): Promise<string> {
  const res = await server.http.get(query);
  assert.equal(res.status, 400, JSON.stringify(res.body));
  assert.equal(res.body.resourceType, 'OperationOutcome');
  assert.equal(res.body.issue[0].code, code, JSON.stringify(res.body));
  assert.deepEqual(res.body.issue[0].expression, [parameter]);
  return res.body.issue[0].details.text as string;
}

describe('token :in, :not-in, :above and :below', () => {
  let server: TestServer;
  before(async () => {
    server = await serverWithTerminology(fixtures);
  });
  after(() => server.close());
  const ids = (query: string): Promise<string[]> => searchIds(server, query);
  const t2dm = enc(valueSetUrl('type-2-diabetes-diagnoses'));
  const labs = enc(valueSetUrl('chronic-lab-codes'));

  describe(':in and :not-in', () => {
    it(':in matches a coding in a network ValueSet, and only under the ValueSet\'s system', async () => {
      assert.deepEqual(await ids(`/Observation?code:in=${labs}`), ['obs-glu', 'obs-hba1c']);
      assert.deepEqual(await ids(`/Condition?code:in=${t2dm}`), ['c-cn', 'c-e11-0', 'c-e11-9']);
    });
    it(':in over a ValueSet of two systems (one imported from two others) keeps each code to its system', async () => {
      assert.deepEqual(await ids(`/Condition?code:in=${enc(valueSetUrl('chronic-disease-diagnoses'))}`), [
        'c-cn',
        'c-e11-0',
        'c-e11-9',
        'c-i10',
      ]);
    });
    it(':not-in matches resources with no coding in the ValueSet, including those without any code (as :not does)', async () => {
      assert.deepEqual(await ids(`/Observation?code:not-in=${labs}`), ['obs-bp', 'obs-other-system']);
      const notT2dm = ['c-cn-i10', 'c-e10-9', 'c-e11', 'c-i10', 'c-none', 'c-other-e11-9'];
      assert.deepEqual(await ids(`/Condition?code:not-in=${t2dm}`), notT2dm);
    });
    it(':in on a code element against a base R4 ValueSet: the stored code has no system and matches by code', async () => {
      const gender = enc('http://hl7.org/fhir/ValueSet/administrative-gender');
      assert.deepEqual(await ids(`/Patient?gender:in=${gender}`), ['p-a', 'p-b']);
      assert.deepEqual(await ids(`/Patient?gender:not-in=${gender}`), ['p-c']);
    });
    it('ORs comma-separated ValueSets', async () => {
      const hypertension = enc(valueSetUrl('hypertension-diagnoses'));
      assert.deepEqual(await ids(`/Condition?code:in=${t2dm},${hypertension}`), ['c-cn', 'c-e11-0', 'c-e11-9', 'c-i10']);
      const neither = ['c-cn-i10', 'c-e10-9', 'c-e11', 'c-none', 'c-other-e11-9'];
      assert.deepEqual(await ids(`/Condition?code:not-in=${t2dm},${hypertension}`), neither);
    });
    it('takes ValueSet/[id] and a canonical url|version', async () => {
      assert.deepEqual(await ids('/Observation?code:in=ValueSet/glucose-codes'), ['obs-glu']);
      assert.deepEqual(await ids(`/Observation?code:in=${enc(`${valueSetUrl('glucose-codes')}|1.0.0`)}`), ['obs-glu']);
    });
    it('ANDs with other parameters', async () => {
      assert.deepEqual(await ids(`/Condition?code:in=${t2dm}&patient=Patient/p-a`), ['c-cn', 'c-e11-0', 'c-e11-9']);
      assert.deepEqual(await ids(`/Condition?code:in=${t2dm}&code:not-in=ValueSet/type-2-diabetes-diagnoses`), []);
      assert.deepEqual(await ids(`/Observation?code:in=${labs}&subject=Patient/p-b`), ['obs-hba1c']);
    });
  });

  describe(':above and :below', () => {
    it(':below matches the code and its descendants in the ICD-10 hierarchy', async () => {
      assert.deepEqual(await ids(`/Condition?code:below=${enc(`${icd10}|E11`)}`), ['c-e11', 'c-e11-0', 'c-e11-9']);
      assert.deepEqual(await ids(`/Condition?code:below=${enc(`${icd10}|E11.9`)}`), ['c-e11-9']);
    });
    it(':above matches the code and its ancestors', async () => {
      assert.deepEqual(await ids(`/Condition?code:above=${enc(`${icd10}|E11.9`)}`), ['c-e11', 'c-e11-9']);
      assert.deepEqual(await ids(`/Condition?code:above=${enc(`${icd10}|E11`)}`), ['c-e11']);
    });
    it('ORs values, each in its own system', async () => {
      assert.deepEqual(await ids(`/Condition?code:below=${enc(`${icd10}|E10`)},${enc(`${icd10}|I10`)}`), ['c-e10-9', 'c-i10']);
    });
  });

  describe('inside chains, _has and compartments', () => {
    it('a chained token parameter', async () => {
      assert.deepEqual(await ids(`/Observation?encounter.reason-code:below=${enc(`${icd10}|E11`)}`), ['obs-glu']);
      const hypertension = enc(valueSetUrl('hypertension-diagnoses'));
      assert.deepEqual(await ids(`/Observation?encounter:Encounter.reason-code:in=${hypertension}`), ['obs-hba1c']);
      assert.deepEqual(await ids(`/Observation?encounter.reason-code:not-in=${hypertension}`), ['obs-glu']);
    });
    it('_has', async () => {
      assert.deepEqual(await ids(`/Patient?_has:Condition:patient:code:in=${t2dm}`), ['p-a']);
      assert.deepEqual(await ids(`/Patient?_has:Observation:patient:code:in=${enc(valueSetUrl('glucose-codes'))}`), ['p-a']);
      assert.deepEqual(await ids(`/Patient?_has:Condition:patient:code:above=${enc(`${icd10}|I10`)}`), ['p-b']);
    });
    it('a compartment search', async () => {
      assert.deepEqual(await ids(`/Patient/p-b/Condition?code:in=${enc(valueSetUrl('chronic-disease-diagnoses'))}`), ['c-i10']);
    });
  });

  describe('refusals', () => {
    it('an unknown ValueSet is a 400 naming it', async () => {
      const url = `${base}/ValueSet/no-such-set`;
      const text = await refused(server, `/Condition?code:in=${enc(url)}`, 'code:in', 'not-found');
      assert.match(text, /no-such-set/);
      await refused(server, '/Condition?code:not-in=ValueSet/no-such-set', 'code:not-in', 'not-found');
      await refused(server, `/Condition?code:in=${enc(`${valueSetUrl('glucose-codes')}|9.9.9`)}`, 'code:in', 'not-found');
    });
    it('a ValueSet the terminology cannot expand is a 400 with its message', async () => {
      // The R4 condition-code ValueSet is all of SNOMED CT, which the server does not hold.
      const conditionCodes = enc('http://hl7.org/fhir/ValueSet/condition-code');
      const text = await refused(server, `/Condition?code:in=${conditionCodes}`, 'code:in', 'not-supported');
      assert.match(text, /snomed/);
    });
    it('an unknown CodeSystem, or one known without its codes, is a 400 naming it and saying what to do', async () => {
      const nowhere = enc('https://example.org/nowhere|X1');
      const unknown = await refused(server, `/Condition?code:below=${nowhere}`, 'code:below', 'not-found');
      assert.match(unknown, /https:\/\/example\.org\/nowhere/);
      assert.match(unknown, /terminology\//);
      // The R4 definitions know SNOMED CT by its definition only.
      const diabetes = enc('http://snomed.info/sct|44054006');
      const snomed = await refused(server, `/Condition?code:below=${diabetes}`, 'code:below', 'not-found');
      assert.match(snomed, /http:\/\/snomed\.info\/sct.*not-present/);
    });
    it('a code the CodeSystem does not have is a 400', async () => {
      const text = await refused(server, `/Condition?code:above=${enc(`${icd10}|E14`)}`, 'code:above', 'code-invalid');
      assert.match(text, /E14/);
      assert.match(text, /fragment/);
    });
    it(':above and :below without a system, or without a code, are a 400', async () => {
      await refused(server, '/Condition?code:below=E11', 'code:below', 'invalid');
      await refused(server, `/Condition?code:above=${enc('|E11')}`, 'code:above', 'invalid');
      await refused(server, `/Condition?code:below=${enc(`${icd10}|`)}`, 'code:below', 'invalid');
      await refused(server, '/Condition?code:in=', 'code:in', 'invalid');
    });
    it('names the parameter inside _has', async () => {
      await refused(server, '/Patient?_has:Condition:patient:code:in=ValueSet/nope', 'code:in', 'not-found');
    });
    it('the modifiers stay refused on other parameter types', async () => {
      await refused(server, `/Patient?birthdate:in=${t2dm}`, 'birthdate:in', 'invalid');
      await refused(server, '/Patient?general-practitioner:not-in=x', 'general-practitioner:not-in', 'invalid');
    });
  });
});

describe('token :in and :below at 10,000 codes', () => {
  let server: TestServer;
  const other = 'https://example.org/CodeSystem/one-more';
  before(async function () {
    this.timeout(60_000);
    server = createTestServer();
    const oneMore = {
      resourceType: 'CodeSystem',
      id: 'one-more',
      url: other,
      status: 'active',
      content: 'complete',
      concept: [{ code: 'x' }],
    };
    // 10,001 codes: the generated system and one more.
    const tooLarge = {
      resourceType: 'ValueSet',
      id: 'too-large',
      url: 'https://example.org/ValueSet/too-large',
      status: 'active',
      compose: { include: [{ system: generated.generatedSystem }, { system: other }] },
    };
    await put(server, [
      { ...generated.generatedCodeSystem(), id: 'generated' },
      { ...generated.generatedAllValueSet(), id: 'generated' },
      oneMore as Resource,
      tooLarge as Resource,
      { resourceType: 'Patient', id: 'p' },
      observation('first', 'p', generated.generatedSystem, 'g0'),
      observation('middle', 'p', generated.generatedSystem, 'g50-7'),
      observation('last', 'p', generated.generatedSystem, 'g99-99'),
      observation('not-in-system', 'p', generated.generatedSystem, 'g100-1'),
      observation('other-system', 'p', 'https://example.org/CodeSystem/elsewhere', 'g50-7'),
    ]);
  });
  after(() => server.close());

  it('the generated ValueSet is exactly at the limit', () => {
    assert.equal(generated.groups * (generated.itemsPerGroup + 1), maxFilterCodes);
  });
  it(':in and :not-in answer exactly over a 10,000-code expansion', async () => {
    const valueSet = enc(generated.generatedValueSet);
    assert.deepEqual(await searchIds(server, `/Observation?code:in=${valueSet}`), ['first', 'last', 'middle']);
    assert.deepEqual(await searchIds(server, `/Observation?code:not-in=${valueSet}`), ['not-in-system', 'other-system']);
    const counted = await server.http.get(`/Observation?code:in=${valueSet}&_count=1&_total=accurate`);
    assert.equal(counted.body.total, 3);
    assert.equal(counted.body.entry.length, 1);
  });
  it(':below a group', async () => {
    assert.deepEqual(await searchIds(server, `/Observation?code:below=${enc(`${generated.generatedSystem}|g50`)}`), ['middle']);
  });
  it('refuses a set above the limit with 400 too-costly', async () => {
    const tooLarge = enc('https://example.org/ValueSet/too-large');
    const text = await refused(server, `/Observation?code:in=${tooLarge}`, 'code:in', 'too-costly');
    assert.match(text, /10001 codes/);
  });
});

describe('token :in and :below in conditional criteria', () => {
  let server: TestServer;
  beforeEach(async () => {
    server = await serverWithTerminology(fixtures.filter((r) => r.resourceType === 'Patient' || r.id === 'c-i10'));
  });
  afterEach(() => server.close());
  const hypertension = `code:in=${enc(valueSetUrl('hypertension-diagnoses'))}`;
  const create = (criteria: string, patient: string) =>
    server.http
      .post('/Condition')
      .set('Content-Type', fhirJson)
      .set('If-None-Exist', criteria)
      .send(condition('ignored', patient, icd10, 'I15.0'));

  it('If-None-Exist finds the match through the ValueSet, and creates when none matches', async () => {
    const existing = await create(`patient=Patient/p-b&${hypertension}`, 'p-b');
    assert.equal(existing.status, 200, JSON.stringify(existing.body));
    assert.equal(existing.body.id, 'c-i10');
    const created = await create(`patient=Patient/p-a&${hypertension}`, 'p-a');
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const again = await create(`patient=Patient/p-a&code:below=${enc(`${icd10}|I15`)}`, 'p-a');
    assert.equal(again.status, 200);
    assert.equal(again.body.id, created.body.id);
  });
  it('If-None-Exist with an unknown ValueSet is a 400, and nothing is written', async () => {
    const res = await create('patient=Patient/p-c&code:in=ValueSet/nope', 'p-c');
    assert.equal(res.status, 400);
    assert.deepEqual(res.body.issue[0].expression, ['code:in']);
    assert.deepEqual(await searchIds(server, '/Condition?patient=Patient/p-c'), []);
  });
  it('a transaction entry\'s If-None-Exist', async () => {
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'transaction',
      entry: [
        {
          resource: condition('ignored', 'p-b', icd10, 'I10'),
          request: { method: 'POST', url: 'Condition', ifNoneExist: `patient=Patient/p-b&${hypertension}` },
        },
        {
          resource: condition('ignored', 'p-c', icd10, 'I10'),
          request: { method: 'POST', url: 'Condition', ifNoneExist: `patient=Patient/p-c&${hypertension}` },
        },
      ],
    };
    const res = await server.http.post('/').set('Content-Type', fhirJson).send(bundle);
    assert.equal(res.status, 200, JSON.stringify(res.body));
    assert.deepEqual(
      (res.body as Bundle).entry?.map((e) => e.response?.status.slice(0, 3)),
      ['200', '201']
    );
    const createdId = /Condition\/([^/]+)/.exec((res.body as Bundle).entry![1].response!.location!)![1];
    assert.deepEqual(await searchIds(server, `/Condition?${hypertension}`), ['c-i10', createdId].sort());
  });
});
