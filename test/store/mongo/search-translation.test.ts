// The MongoDB translation of search plans, without a MongoDB server: the documents the adapter would
// store are built from the SQLite adapter's own writes, each plan is compiled to the adapter's
// pipeline and evaluated with mingo (an implementation of MongoDB's query language), and the page, its
// order, the total, the cursors both ways and what _include adds must equal what SQLite answers for the
// same plan, the caller's restriction included.
import type { Resource } from '@medplum/fhirtypes';
import { Aggregator, find } from 'mingo';
import type { Collection, Document } from 'mongodb';
import { strict as assert } from 'node:assert';
import { isResourceType } from '../../../server/fhir/resource-definitions';
import { parseSearch } from '../../../server/search/parse-search';
import type { Filter, ParamRef, ResultRestriction, SearchPlan } from '../../../server/search/plan';
import { createResourceIndexer } from '../../../server/search/indexing/resource-indexer';
import { currentDocument, lastNumber, nextSeq, type CurrentDocument } from '../../../server/store/mongo/documents';
import { currentIndexes, storeNewestDates } from '../../../server/store/mongo/indexes';
import { compileSearch } from '../../../server/store/mongo/search-pipeline';
import { mingoBackend } from '../../helpers/mingo-backend';
import { searchPage, type EstimateLimits, type SearchSource } from '../../../server/store/mongo/search-page';
import type { ResourceStore, ResourceVersion, SearchPage } from '../../../server/store/port';
import { memoryStore, testBaseUrl, testRegistry } from '../../helpers/test-server';
import { searchFixtures } from '../../search/search-fixtures';

const extraFixtures: Resource[] = [
  { resourceType: 'Patient', id: 'p-gone', name: [{ family: 'Wang' }], gender: 'male' },
  {
    resourceType: 'Observation',
    id: 'obs-glu-umol',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '14771-0' }] },
    subject: { reference: 'Patient/p-jose' },
    effectiveDateTime: '2026-04-01',
    valueQuantity: { value: 7200, unit: 'umol/L', system: 'http://unitsofmeasure.org', code: 'umol/L' },
  },
  // A blood pressure without a date: last when sorted by date, either way.
  { resourceType: 'Observation', id: 'obs-bp-undated', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '85354-9' }] }, subject: { reference: 'Patient/p-jose' } },
  { resourceType: 'RiskAssessment', id: 'risk-2', status: 'final', subject: { reference: 'Patient/p-jose' }, prediction: [{ probabilityDecimal: 0.1 }] },
  { resourceType: 'RiskAssessment', id: 'risk-range', status: 'final', subject: { reference: 'Patient/p-zhang' }, prediction: [{ probabilityRange: { low: { value: 0.2 }, high: { value: 0.4 } } }] },
];

describe('MongoDB search translation, evaluated with mingo, against the SQLite adapter', () => {
  let sqlite: ResourceStore;
  const docs: CurrentDocument[] = [];
  const indexer = createResourceIndexer(testRegistry());

  /** The document the MongoDB adapter writes for a version the SQLite adapter wrote. */
  function mirror(version: ResourceVersion): void {
    const doc = currentDocument(version, nextSeq(Date.parse(version.lastUpdated)), version.resource && indexer(version.resource));
    const at = docs.findIndex((d) => d._id === doc._id);
    if (at >= 0) {
      docs.splice(at, 1);
    }
    docs.push(doc);
  }

  before(async () => {
    sqlite = memoryStore();
    for (const resource of [...searchFixtures, ...extraFixtures]) {
      mirror((await sqlite.update(resource)).version);
    }
    // An update moves a resource to the end of the write order; a delete leaves a tombstone.
    const org = searchFixtures.find((r) => r.id === 'org-clinic')!;
    mirror((await sqlite.update({ ...org, active: true } as Resource)).version);
    mirror((await sqlite.delete('Patient', 'p-gone')).version!);
  });
  after(() => sqlite.close());

  const mingoSource: SearchSource = {
    find: async (query) => find(docs, query).all() as Document[],
    aggregate: async (pipeline) => new Aggregator(pipeline).run(docs) as Document[],
    count: async (query, limit) => Math.min(find(docs, query).all().length, limit ?? Infinity),
    typeSize: async (resourceType) => find(docs, { type: resourceType, deleted: false }).all().length,
  };

  function plan(resourceType: string, query: string, count = 50): SearchPlan {
    const parsed = parseSearch(resourceType, new URLSearchParams(query), count, { registry: testRegistry(), baseUrl: testBaseUrl, isResourceType });
    return { ...parsed.plan, total: 'accurate' };
  }

  const keys = (versions: ResourceVersion[]): string[] => versions.map((v) => `${v.resourceType}/${v.id}`);

  /** The same page from both: matches in order, total, included (as a set), and the presence of cursors. */
  function assertSamePage(mongo: SearchPage, expected: SearchPage, what: string): void {
    assert.deepEqual(keys(mongo.resources), keys(expected.resources), `${what}: matches`);
    assert.equal(mongo.total, expected.total, `${what}: total`);
    assert.deepEqual(keys(mongo.included).sort(), keys(expected.included).sort(), `${what}: included`);
    assert.equal(!!mongo.nextCursor, !!expected.nextCursor, `${what}: next page`);
    assert.equal(!!mongo.previousCursor, !!expected.previousCursor, `${what}: previous page`);
  }

  async function assertSame(searchPlan: SearchPlan, what: string, expected?: SearchPlan): Promise<SearchPage> {
    const mongo = await searchPage(searchPlan, mingoSource);
    assertSamePage(mongo, await sqlite.search(expected ?? searchPlan), what);
    return mongo;
  }

  const queries: Record<string, string[]> = {
    Patient: [
      'name=wang', 'name=jos', 'name:exact=王小明', 'name:exact=wang', 'name:contains=ia', 'family=王', 'address-city=天津',
      'gender=male', 'gender:not=male', 'gender=http://hl7.org/fhir/administrative-gender|male', 'gender=|male',
      'identifier=urn:oid:2.16.156.10011.1.3|120101198001010012', 'identifier=MR-1', 'identifier:of-type=http://terminology.hl7.org/CodeSystem/v2-0203|MR|MR-1',
      'identifier:text=x', 'telecom=13900000001', 'active=false', 'active:missing=true', 'active:missing=false',
      'birthdate=1980-01-01', 'birthdate=1975', 'birthdate=ge1980', 'birthdate=gt1980-01-01', 'birthdate=lt1980', 'birthdate=le1975-06',
      'birthdate=ne1980-01-01', 'birthdate=sa1979', 'birthdate=eb1990-06-01', 'birthdate=ap1980-01-01',
      '_id=p-wang,p-zhang,p-gone', '_lastUpdated=gt2000-01-01', '_lastUpdated=lt2000-01-01', '_lastUpdated=ge2000-01-01&_lastUpdated=le2200-01-01',
      'organization=Organization/org-clinic', 'organization=org-clinic', 'organization:Organization=org-hospital', `organization=${testBaseUrl}/Organization/org-clinic`,
      'general-practitioner:Practitioner=dr-li', '_tag=https://fhir.dhc.example/tags|chronic', '_tag:not=https://fhir.dhc.example/tags|chronic',
      'organization.name=tianjin', 'organization.partof.identifier=B100-001', 'organization:missing=true',
      '_has:Observation:patient:code=14771-0', '_has:Observation:subject:status=final', '_has:Observation:patient:code:not=85354-9',
      'gender=male&name=wang', 'gender=male,female&birthdate=lt1985',
    ],
    Observation: [
      'code=http://loinc.org|85354-9', 'code=85354-9,14771-0', 'code=|85354-9', 'code:text=血压', 'code:text=blood', 'code:not=85354-9',
      'value-quantity=7.2|http://unitsofmeasure.org|mmol/L', 'value-quantity=7200|http://unitsofmeasure.org|umol/L',
      'value-quantity=gt7', 'value-quantity=le65.5', 'value-quantity=65.5||kg', 'value-quantity=65.5|http://unitsofmeasure.org|kg',
      'value-quantity=65500|http://unitsofmeasure.org|g', 'value-quantity=ap7.2', 'value-quantity=ne7.2',
      'component-code-value-quantity=http://loinc.org|8480-6$gt140', 'component-code-value-quantity=http://loinc.org|8462-4$lt90',
      'combo-code-value-quantity=http://loinc.org|8480-6$128', 'date=2026-03', 'date=ge2026-03-05', 'date=sa2026-03-31', 'date=eb2026-03-02',
      'status=final,preliminary', 'subject:Patient.name=wang', 'patient.organization.name=和平区', 'subject.gender=female',
      `subject:Patient.identifier=${encodeURIComponent('urn:oid:2.16.156.10011.1.3|120101198001010012')}`,
      'encounter=Encounter/enc-1', 'subject:missing=false', 'encounter:missing=true', 'subject=Patient/p-gone',
    ],
    Organization: ['identifier=B100-001', 'partof:missing=true', 'name=tianjin', 'partof=org-clinic', 'active=true'],
    RiskAssessment: ['probability=0.25', 'probability=gt0.2', 'probability=lt0.2', 'probability=ap0.25', 'probability=ne0.25', 'probability=ge0.3', 'probability=le0.1'],
    ValueSet: [
      'url=https://fhir.dhc.example/ValueSet/blood-pressure-codes', 'url:below=https://fhir.dhc.example/', 'url:below=https://other/',
      'url:above=https://fhir.dhc.example/ValueSet/blood-pressure-codes/sub', 'version=1.0.0',
    ],
    QuestionnaireResponse: ['questionnaire=https://fhir.dhc.example/Questionnaire/follow-up|2.0', 'questionnaire=https://fhir.dhc.example/Questionnaire/follow-up', 'subject.name=wang'],
    Practitioner: ['_has:Patient:general-practitioner:_has:Observation:patient:code=85354-9', '_has:Patient:general-practitioner:gender=female', 'name=李'],
    Encounter: ['date=2026-03-05', 'class=AMB', 'subject.birthdate=1980'],
  };

  describe('every filter and value type selects what SQLite selects', () => {
    for (const [type, list] of Object.entries(queries)) {
      for (const query of list) {
        it(`${type}?${query}`, async () => {
          await assertSame(plan(type, query), `${type}?${query}`);
        });
      }
    }
  });

  describe('code sets (what :in, :not-in, :above and :below resolve to)', () => {
    const code: ParamRef = { resourceType: 'Observation', code: 'code', kind: 'token' };
    const gender: ParamRef = { resourceType: 'Patient', code: 'gender', kind: 'token' };
    const cases: [string, string, Filter][] = [
      ['one system', 'Observation', { kind: 'param', param: code, anyOf: [{ type: 'token', codes: [{ system: 'http://loinc.org', code: '85354-9' }, { system: 'http://loinc.org', code: '29463-7' }] }] }],
      ['several systems', 'Observation', { kind: 'param', param: code, anyOf: [{ type: 'token', codes: [{ system: 'http://other', code: '85354-9' }, { system: 'http://loinc.org', code: '14771-0' }] }] }],
      ['negated', 'Observation', { kind: 'param', param: code, negate: true, anyOf: [{ type: 'token', codes: [{ system: 'http://loinc.org', code: '85354-9' }] }] }],
      ['empty', 'Observation', { kind: 'param', param: code, anyOf: [{ type: 'token', codes: [] }] }],
      ['a code element without system', 'Patient', { kind: 'param', param: gender, anyOf: [{ type: 'token', codes: [{ system: 'http://hl7.org/fhir/administrative-gender', code: 'female' }] }] }],
    ];
    for (const [name, type, filter] of cases) {
      it(name, async () => {
        await assertSame({ ...plan(type, ''), filters: [filter] }, name);
      });
    }
  });

  describe('_total=estimate', () => {
    const estimate = (type: string, query: string, limits?: EstimateLimits): Promise<SearchPage> =>
      searchPage({ ...plan(type, query), total: 'estimate' }, mingoSource, limits);

    it('counts exactly while the matches stay under the limit', async () => {
      for (const [type, query] of [['Observation', 'code=http://loinc.org|85354-9'], ['Patient', 'gender=male'], ['Patient', '']] as const) {
        const exact = (await sqlite.search({ ...plan(type, query), total: 'accurate' })).total;
        assert.equal((await estimate(type, query)).total, exact, `${type}?${query}`);
      }
    });

    it('past the limit, scales the matches of a random sample of the type to its size, never below the limit', async () => {
      const observations = find(docs, { type: 'Observation', deleted: false }).all().length;
      // Every Observation matches: any sample's share is 1.
      assert.equal((await estimate('Observation', '', { exactUpTo: 2, sampleSize: 50 })).total, observations);
      const males = (await sqlite.search({ ...plan('Patient', 'gender=male'), total: 'accurate' })).total!;
      const patients = find(docs, { type: 'Patient', deleted: false }).all().length;
      assert.ok(males > 1 && males < patients, `${males} of ${patients}`);
      // mingo samples with replacement (MongoDB without): 4,000 draws put the share within a few percent.
      const estimated = (await estimate('Patient', 'gender=male', { exactUpTo: 1, sampleSize: 4000 })).total!;
      assert.ok(Math.abs(estimated - males) <= Math.max(1, males * 0.2), `${estimated} estimated, ${males} exactly`);
      // An empty sample still leaves the count reached.
      assert.equal((await estimate('Patient', 'gender=male', { exactUpTo: 1, sampleSize: 0 })).total, 1);
    });
  });

  describe('compartments (anyOf)', () => {
    it('any of several reference parameters, and an empty anyOf', async () => {
      const ref = (code: string): ParamRef => ({ resourceType: 'Observation', code, kind: 'reference' });
      const toWang = (code: string): Filter => ({ kind: 'param', param: ref(code), anyOf: [{ type: 'reference', targetTypes: ['Patient'], id: 'p-wang' }] });
      await assertSame({ ...plan('Observation', ''), filters: [{ kind: 'anyOf', filters: [toWang('subject'), toWang('performer')] }] }, 'compartment');
      await assertSame({ ...plan('Observation', ''), filters: [{ kind: 'anyOf', filters: [] }] }, 'empty anyOf');
    });
  });

  describe('sort and keyset paging', () => {
    const sorted = [
      ['Observation', '_sort=date'], ['Observation', '_sort=-date'], ['Patient', '_sort=birthdate'], ['Patient', '_sort=-birthdate,_id'],
      ['Patient', '_sort=family'], ['Patient', '_sort=-gender,-_id'], ['Observation', '_sort=_lastUpdated'], ['Observation', '_sort=-_lastUpdated'],
      ['Observation', '_sort=-_id'], ['Observation', '_sort=subject,-date'], ['Observation', '_sort=value-quantity'], ['Observation', 'status=final&_sort=-value-quantity'],
      ['RiskAssessment', '_sort=probability'], ['Observation', ''], ['Patient', '_sort=address-city'],
      ['Observation', 'code=http://loinc.org|85354-9&_sort=-date'], ['Observation', 'code=14771-0&_sort=-date'], ['Encounter', 'class=AMB&_sort=-date'],
    ];
    for (const [type, query] of sorted) {
      it(`${type}?${query}, two at a time, forwards then backwards`, async () => {
        // Cursors are the adapter's own (sort values and its write order): each walks with its own.
        const pages: string[][] = [];
        let mongoCursor: string | undefined;
        let sqliteCursor: string | undefined;
        let last: SearchPage | undefined;
        do {
          const mongo = await searchPage({ ...plan(type, query, 2), cursor: mongoCursor }, mingoSource);
          const expected = await sqlite.search({ ...plan(type, query, 2), cursor: sqliteCursor });
          assertSamePage(mongo, expected, `${query} page ${pages.length + 1}`);
          pages.push(keys(mongo.resources));
          mongoCursor = mongo.nextCursor;
          sqliteCursor = expected.nextCursor;
          last = mongo;
        } while (mongoCursor && pages.length < 20);
        assert.equal(mongoCursor, undefined, `${query}: the pages end`);
        const whole = await sqlite.search(plan(type, query, 100));
        assert.deepEqual(pages.flat(), keys(whole.resources), `${query}: the pages together`);
        // Backwards from the last page, with Mongo's own previous-page cursors.
        const back: string[][] = [];
        let previous = last?.previousCursor;
        while (previous && back.length < 20) {
          const page = await searchPage({ ...plan(type, query, 2), cursor: previous }, mingoSource);
          back.unshift(keys(page.resources));
          previous = page.previousCursor;
        }
        assert.deepEqual([...back.flat(), ...keys(last!.resources)], keys(whole.resources), `${query}: the pages backwards`);
      });
    }
  });

  describe('a code newest first (the token_date index)', () => {
    it('sorts on the stored newest date right after the match, so that the index on the code and that date serves the order', async () => {
      const compiled = await compileSearch(plan('Observation', 'code=http://loinc.org|85354-9&_sort=-date', 2), mingoSource);
      assert.deepEqual(compiled.pipeline[1], { $sort: { nd: -1, seq: 1 } });
      // The index: the match's equality fields (the type, the token's parameter and code), then the sort's.
      const index = currentIndexes.find((i) => i.name === 'token_date');
      assert.deepEqual(index?.key, { type: 1, 'idx.tok.p': 1, 'idx.tok.c': 1, nd: -1, seq: 1 });
      assert.deepEqual(compiled.pipeline[0], {
        $match: { $and: [{ type: 'Observation', deleted: false }, { 'idx.tok': { $elemMatch: { p: 'code', c: '85354-9', s: 'http://loinc.org' } } }] },
      });
    });

    it('stores the newest date on documents written before it was kept, once', async () => {
      const backend = mingoBackend();
      const stored = docs.filter((d) => d.type === 'Observation' && !d.deleted);
      for (const doc of stored) {
        const { nd: _dropped, ...old } = doc;
        await backend.current.insertOne(old);
      }
      assert.equal(await storeNewestDates(backend.current as unknown as Collection<Document>), stored.length);
      assert.equal(await storeNewestDates(backend.current as unknown as Collection<Document>), 0);
      const after = await backend.current.find({}).toArray();
      assert.deepEqual(
        after.map((d) => [d._id, d.nd]).sort(),
        stored.map((d) => [d._id, d.nd]).sort()
      );
      assert.ok(stored.some((d) => d.nd! > 0) && stored.some((d) => d.nd === -lastNumber), 'with and without a date');
    });
  });

  describe('_include and _revinclude', () => {
    const cases = [
      ['Observation', 'code=14771-0&_include=Observation:subject'],
      ['Observation', '_include=Observation:subject:Patient&_include=Observation:encounter'],
      ['Observation', 'code=85354-9&_include=Observation:patient&_include:iterate=Patient:organization&_include:iterate=Organization:partof'],
      ['Observation', '_include=Observation:*'],
      ['Patient', '_revinclude=Observation:subject'],
      ['Patient', 'gender=female&_revinclude=Observation:patient&_revinclude:iterate=Encounter:subject'],
      ['Organization', '_id=org-clinic&_revinclude=Patient:organization&_revinclude:iterate=Observation:patient'],
      ['Organization', '_revinclude:iterate=Organization:partof'],
      ['Patient', '_id=p-gone&_revinclude=Observation:subject'],
    ];
    for (const [type, query] of cases) {
      it(`${type}?${query}`, async () => {
        await assertSame(plan(type, query), query);
      });
    }
  });

  describe('the restriction', () => {
    const subject: ParamRef = { resourceType: 'Observation', code: 'subject', kind: 'reference' };
    const onlyWang: Filter = { kind: 'param', param: subject, anyOf: [{ type: 'reference', targetTypes: ['Patient'], id: 'p-wang' }] };
    const male: Filter = { kind: 'param', param: { resourceType: 'Patient', code: 'gender', kind: 'token' }, anyOf: [{ type: 'token', code: 'male' }] };
    const restrictions: [string, ResultRestriction][] = [
      ['one type filtered, others visible', { byType: { Observation: [onlyWang] }, otherTypes: 'all' }],
      ['patients filtered, observations visible, others hidden', { byType: { Patient: [male], Observation: [] }, otherTypes: 'none' }],
      ['everything hidden', { byType: {}, otherTypes: 'none' }],
    ];
    const cases = [
      ['Observation', ''],
      ['Observation', 'subject:Patient.name=wang'],
      ['Patient', '_has:Observation:subject:status=final'],
      ['Observation', 'code=85354-9,29463-7&_include=Observation:patient&_include:iterate=Patient:organization'],
      ['Patient', '_revinclude=Observation:subject&_revinclude=RiskAssessment:subject'],
      ['Observation', '_sort=-date'],
    ];
    for (const [name, restriction] of restrictions) {
      for (const [type, query] of cases) {
        it(`${name}: ${type}?${query}`, async () => {
          await assertSame({ ...plan(type, query, 2), restriction }, `${name}: ${query}`);
        });
      }
    }

    it('the folded equivalent: a restricted search selects what the search with the restriction as filters does', async () => {
      const base = plan('Observation', '', 2);
      await assertSame({ ...base, restriction: { byType: { Observation: [onlyWang] }, otherTypes: 'all' } }, 'folded', { ...base, filters: [onlyWang] });
    });
  });
});
