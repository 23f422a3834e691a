// Search by every parameter type and modifier, over the hand-made fixtures.
import { strict as assert } from 'node:assert';
import type { TestServer } from '../helpers/test-server';
import { searchIds, serverWithFixtures } from './search-fixtures';
import { forEachStoreAdapter } from '../helpers/store-adapters';

forEachStoreAdapter((adapter) => {
  describe('search parameter types', () => {
    let server: TestServer;
    before(async () => {
      server = await serverWithFixtures(adapter);
    });
    after(() => server.close());
    const ids = (query: string): Promise<string[]> => searchIds(server, query);
    const enc = encodeURIComponent;

    describe('string', () => {
      it('matches the start of any name part, case- and accent-insensitively', async () => {
        assert.deepEqual(await ids('/Patient?name=wan'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?name=jose'), ['p-jose']);
        assert.deepEqual(await ids('/Patient?name=MAR'), ['p-jose']);
        assert.deepEqual(await ids('/Patient?family=xiao'), []);
      });
      it('keeps Chinese as it is: family, given and the full text', async () => {
        assert.deepEqual(await ids(`/Patient?name=${enc('王')}`), ['p-wang']);
        assert.deepEqual(await ids(`/Patient?name=${enc('王小明')}`), ['p-wang']);
        assert.deepEqual(await ids(`/Patient?given=${enc('伟')}`), ['p-zhang']);
      });
      it(':exact and :contains', async () => {
        assert.deepEqual(await ids('/Patient?family:exact=Wang'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?family:exact=wang'), [], ':exact is case-sensitive');
        assert.deepEqual(await ids('/Patient?family:exact=Wan'), []);
        assert.deepEqual(await ids(`/Patient?family:exact=${enc('José')}`), ['p-jose']);
        assert.deepEqual(await ids('/Patient?family:exact=Jose'), [], ':exact keeps accents');
        assert.deepEqual(await ids('/Patient?name:contains=iaom'), ['p-wang']);
        assert.deepEqual(await ids(`/Organization?name:contains=${enc('社区')}`), ['org-clinic']);
      });
      it('ORs comma-separated values and ANDs repeated parameters', async () => {
        assert.deepEqual(await ids('/Patient?name=wang,jose'), ['p-jose', 'p-wang']);
        assert.deepEqual(await ids('/Patient?name=wang&name=xiaoming'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?name=wang&name=jose'), []);
      });
      it('searches address parts', async () => {
        assert.deepEqual(await ids(`/Patient?address-city=${enc('天津')}`), ['p-wang']);
      });
    });

    describe('token', () => {
      it('matches code, system|code, |code and system|', async () => {
        assert.deepEqual(await ids('/Observation?code=85354-9'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids(`/Observation?code=${enc('http://loinc.org|14771-0')}`), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?code=${enc('http://other|14771-0')}`), []);
        assert.deepEqual(await ids(`/Observation?code=${enc('|14771-0')}`), []);
        assert.deepEqual(await ids(`/Observation?code=${enc('http://loinc.org|')}`), ['obs-bp-1', 'obs-bp-2', 'obs-glu', 'obs-weight']);
        assert.deepEqual(await ids('/Patient?gender=male'), ['p-wang', 'p-zhang']);
        assert.deepEqual(await ids('/Patient?active=false'), ['p-zhang']);
      });
      it('matches identifiers and telecom', async () => {
        assert.deepEqual(await ids(`/Patient?identifier=${enc('urn:oid:2.16.156.10011.1.3|120101198001010012')}`), ['p-wang']);
        assert.deepEqual(await ids('/Patient?identifier=120101198001010012'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?phone=13900000001'), ['p-wang']);
      });
      it(':not excludes resources with a matching value, keeping those without any', async () => {
        assert.deepEqual(await ids('/Patient?gender:not=male'), ['p-jose']);
        assert.deepEqual(await ids('/Observation?status:not=final'), ['obs-weight']);
      });
      it(':text matches display and CodeableConcept.text', async () => {
        assert.deepEqual(await ids(`/Observation?code:text=${enc('血压')}`), ['obs-bp-1']);
        assert.deepEqual(await ids('/Observation?code:text=fasting'), ['obs-glu']);
      });
      it(':of-type matches an identifier by its type', async () => {
        const q = enc('http://terminology.hl7.org/CodeSystem/v2-0203|MR|MR-1');
        assert.deepEqual(await ids(`/Patient?identifier:of-type=${q}`), ['p-wang']);
      });
      it('_tag from meta', async () => {
        assert.deepEqual(await ids(`/Patient?_tag=${enc('https://fhir.dhc.example/tags|chronic')}`), ['p-wang']);
      });
    });

    describe('date', () => {
      it('matches each precision', async () => {
        assert.deepEqual(await ids('/Patient?birthdate=1980'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?birthdate=1980-01-01'), ['p-wang']);
        assert.deepEqual(await ids('/Patient?birthdate=1975-06-15'), [], 'a month-precision birthDate is not within one day');
        assert.deepEqual(await ids('/Patient?birthdate=1975'), ['p-jose']);
      });
      it('applies prefixes, with ranges for periods', async () => {
        assert.deepEqual(await ids('/Patient?birthdate=lt1980'), ['p-jose']);
        assert.deepEqual(await ids('/Patient?birthdate=ge1980-01-01'), ['p-wang', 'p-zhang']);
        assert.deepEqual(await ids('/Observation?date=ge2026-03-10&date=le2026-04'), ['obs-glu']);
        assert.deepEqual(await ids('/Observation?date=sa2026-01-01'), ['obs-bp-1', 'obs-bp-2', 'obs-glu']);
        assert.deepEqual(await ids('/Observation?date=eb2026-01-01'), ['obs-weight']);
        assert.deepEqual(await ids('/Observation?date=2026-03'), ['obs-bp-1', 'obs-glu']);
        assert.deepEqual(await ids('/Observation?date=ne2026-03'), ['obs-bp-2', 'obs-weight']);
        assert.deepEqual(await ids(`/Encounter?date=${enc('2026-03-05T01:10:00Z')}`), []);
        assert.deepEqual(await ids(`/Encounter?date=ap${enc('2026-03-05T01:10:00Z')}`), ['enc-1']);
      });
      it('reads a time zone offset', async () => {
        assert.deepEqual(await ids(`/Observation?date=${enc('2026-03-05T09:05:00+08:00')}`), ['obs-bp-1']);
        assert.deepEqual(await ids(`/Observation?date=${enc('2026-03-05T01:05:00Z')}`), ['obs-bp-1']);
      });
    });

    describe('number and quantity', () => {
      it('number with implicit precision and prefixes', async () => {
        assert.deepEqual(await ids('/RiskAssessment?probability=0.25'), ['risk-1']);
        assert.deepEqual(await ids('/RiskAssessment?probability=0.2'), []);
        assert.deepEqual(await ids('/RiskAssessment?probability=0.250'), ['risk-1'], 'a more precise search value still finds 0.25');
        assert.deepEqual(await ids('/RiskAssessment?probability=ne0.25'), []);
        assert.deepEqual(await ids('/RiskAssessment?probability=ap0.24'), ['risk-1']);
        assert.deepEqual(await ids('/RiskAssessment?probability=gt0.2'), ['risk-1']);
        assert.deepEqual(await ids('/RiskAssessment?probability=lt0.2'), []);
      });
      it('quantity with and without units', async () => {
        assert.deepEqual(await ids('/Observation?value-quantity=7.2'), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('gt7|http://unitsofmeasure.org|mmol/L')}`), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('gt7||kg')}`), ['obs-weight']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('gt7||mmol/L')}`), ['obs-glu']);
        assert.deepEqual(await ids('/Observation?value-quantity=le65.5'), ['obs-glu', 'obs-weight']);
      });
      it('quantity in another unit of the same dimension (UCUM)', async () => {
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('7200|http://unitsofmeasure.org|umol/L')}`), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('gt7000||umol/L')}`), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('65500|http://unitsofmeasure.org|g')}`), ['obs-weight']);
        assert.deepEqual(await ids(`/Observation?value-quantity=${enc('65.5|http://unitsofmeasure.org|g')}`), []);
      });
    });

    describe('reference', () => {
      it('by Type/id, by id, by absolute URL of this server, with :Type', async () => {
        assert.deepEqual(await ids('/Observation?subject=Patient/p-wang'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids('/Observation?patient=p-zhang'), ['obs-glu']);
        assert.deepEqual(await ids(`/Observation?subject=${enc('http://fhir.test/Patient/p-jose')}`), ['obs-weight']);
        assert.deepEqual(await ids('/Observation?subject:Patient=p-jose'), ['obs-weight']);
        assert.deepEqual(await ids('/Patient?general-practitioner=Practitioner/dr-li'), ['p-wang']);
      });
      it('a canonical with its version', async () => {
        const url = 'https://fhir.dhc.example/Questionnaire/follow-up';
        assert.deepEqual(await ids(`/QuestionnaireResponse?questionnaire=${enc(url)}`), ['qr-1']);
        assert.deepEqual(await ids(`/QuestionnaireResponse?questionnaire=${enc(url + '|2.0')}`), ['qr-1']);
        assert.deepEqual(await ids(`/QuestionnaireResponse?questionnaire=${enc(url + '|1.0')}`), []);
      });
      it(':missing', async () => {
        assert.deepEqual(await ids('/Observation?encounter:missing=false'), ['obs-bp-1']);
        assert.deepEqual(await ids('/Patient?general-practitioner:missing=true'), ['p-jose', 'p-zhang']);
      });
      it('refuses a value that is no reference', async () => {
        const res = await server.http.get('/Observation?subject=Nonsense/1');
        assert.equal(res.status, 400);
      });
    });

    describe('uri', () => {
      it('exact, :below and :above', async () => {
        const url = 'https://fhir.dhc.example/ValueSet/blood-pressure-codes';
        assert.deepEqual(await ids(`/ValueSet?url=${enc(url)}`), ['vs-bp']);
        assert.deepEqual(await ids(`/ValueSet?url=${enc('https://fhir.dhc.example/ValueSet')}`), []);
        assert.deepEqual(await ids(`/ValueSet?url:below=${enc('https://fhir.dhc.example/')}`), ['vs-bp']);
        assert.deepEqual(await ids(`/ValueSet?url:above=${enc(url + '/extra')}`), ['vs-bp']);
      });
    });

    describe('composite', () => {
      it('pairs each component code with that component value only', async () => {
        const systolicHigh = enc('http://loinc.org|8480-6$gt140');
        assert.deepEqual(await ids(`/Observation?component-code-value-quantity=${systolicHigh}`), ['obs-bp-1']);
        const diastolic140 = enc('http://loinc.org|8462-4$gt140');
        assert.deepEqual(await ids(`/Observation?component-code-value-quantity=${diastolic140}`), []);
        assert.deepEqual(await ids(`/Observation?code-value-quantity=${enc('14771-0$gt7')}`), ['obs-glu']);
      });
      it('refuses a value with the wrong number of parts', async () => {
        const res = await server.http.get('/Observation?code-value-quantity=14771-0');
        assert.equal(res.status, 400);
      });
    });

    describe('a union of parameters (combo-*), searched through its parts\' rows', () => {
      it('matches where any part matches: code or a component\'s code, value or a component\'s value', async () => {
        assert.deepEqual(await ids('/Observation?combo-code=8480-6'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids('/Observation?combo-code=85354-9,14771-0'), ['obs-bp-1', 'obs-bp-2', 'obs-glu']);
        assert.deepEqual(await ids('/Observation?combo-value-quantity=gt100'), ['obs-bp-1', 'obs-bp-2']);
        assert.deepEqual(await ids('/Observation?combo-value-quantity=lt70'), ['obs-glu', 'obs-weight']);
        assert.deepEqual(await ids(`/Observation?combo-code-value-quantity=${enc('http://loinc.org|8480-6$gt140')}`), ['obs-bp-1']);
        assert.deepEqual(await ids(`/Observation?combo-code-value-quantity=${enc('14771-0$gt7')}`), ['obs-glu']);
        assert.deepEqual(await ids('/Observation?combo-code=8480-6&combo-value-quantity=lt90'), ['obs-bp-2']);
      });
      it(':not and :missing=true need every part to agree; :missing=false any', async () => {
        assert.deepEqual(await ids('/Observation?combo-code:not=8480-6'), ['obs-glu', 'obs-weight']);
        assert.deepEqual(await ids('/Observation?combo-value-concept:missing=true'), ['obs-bp-1', 'obs-bp-2', 'obs-glu', 'obs-weight']);
        assert.deepEqual(await ids('/Observation?combo-value-quantity:missing=false'), ['obs-bp-1', 'obs-bp-2', 'obs-glu', 'obs-weight']);
        assert.deepEqual(await ids('/Observation?combo-code:missing=true'), []);
      });
      it('counts a resource matched by two parts once', async () => {
        const res = await server.http.get(`/Observation?combo-code=${enc('http://loinc.org|')}&_summary=count`);
        assert.equal(res.status, 200);
        assert.equal((res.body as { total: number }).total, 4);
      });
      it('sorts by the lowest value of all parts', async () => {
        const res = await server.http.get('/Observation?_sort=combo-code,_id');
        assert.equal(res.status, 200);
        const order = ((res.body as { entry: { resource: { id: string } }[] }).entry ?? []).map((e) => e.resource.id);
        // 14771-0, 29463-7, then the panels by their lowest code (8462-4, a component's).
        assert.deepEqual(order, ['obs-glu', 'obs-weight', 'obs-bp-1', 'obs-bp-2']);
      });
      it('names the parameter as the request did in an error', async () => {
        const res = await server.http.get('/Observation?combo-value-quantity=gtabc').set('Prefer', 'handling=strict');
        assert.equal(res.status, 400);
        assert.match(JSON.stringify(res.body), /combo-value-quantity/);
      });
    });

    describe('escaping', () => {
      it('reads \\, as a literal comma', async () => {
        assert.deepEqual(await ids(`/Patient?name=${enc('wang\\,jose')}`), []);
      });
    });
  });
});
