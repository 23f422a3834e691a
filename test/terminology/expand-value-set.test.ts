// $expand in the engine, on the network's own content: composition (includes, filters, imports,
// excludes), the text filter in Chinese and English, paging, displayLanguage, designations,
// activeOnly, and the errors for what cannot be expanded.
import type { CodeSystem, ValueSet, ValueSetExpansionContains } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { FhirError } from '../../server/outcomes';
import { LocalTerminology } from '../../server/terminology/local-terminology';
import { InMemoryTerminologySource } from '../../server/terminology/memory-source';
import type { ExpandRequest } from '../../server/terminology/terminology-service';
import { clinical, formulary, icd10, labB100, networkEngine, networkTerminology, valueSetUrl } from '../helpers/terminology';

const engine = networkEngine();
const codes = (vs: ValueSet): string[] => (vs.expansion?.contains ?? []).map((c) => c.code as string);
const expandUrl = (id: string, extra: Omit<ExpandRequest, 'valueSet'> = {}): Promise<ValueSet> =>
  engine.expand({ valueSet: { url: valueSetUrl(id) }, ...extra });
const inline = (compose: ValueSet['compose']): ExpandRequest['valueSet'] => ({ resource: { resourceType: 'ValueSet', status: 'active', compose } });
const isError = (status: number, code: string) => (err: unknown) =>
  err instanceof FhirError && err.status === status && err.outcome.issue?.[0].code === code;

describe('expand: composition', () => {
  it('lists the codes a ValueSet enumerates, with their system, version and display', async () => {
    const vs = await expandUrl('blood-pressure-codes');
    assert.equal(vs.url, valueSetUrl('blood-pressure-codes'));
    assert.equal(vs.expansion?.total, 3);
    assert.deepEqual(vs.expansion?.contains?.[1], {
      system: 'http://loinc.org',
      version: '1.0.0',
      code: '8480-6',
      display: 'Systolic blood pressure',
    });
    assert.equal(vs.compose, undefined, 'the definition only with includeDefinition');
    assert.ok((await expandUrl('blood-pressure-codes', { includeDefinition: true })).compose);
  });

  it('takes all codes of a complete code system', async () => {
    assert.deepEqual(codes(await expandUrl('eqa-statuses')).sort(), ['expired', 'failed', 'not-assessed', 'passed']);
  });

  it('applies filters: formulary antidiabetics are the products under antidiabetic (is-a and exists)', async () => {
    const vs = await expandUrl('formulary-antidiabetics');
    assert.equal(vs.expansion?.total, 37);
    assert.ok(codes(vs).includes('metformin-tab-0.5g'));
    assert.ok(!codes(vs).includes('generic-metformin'), 'abstract generics have no atc');
    assert.ok(!codes(vs).includes('amlodipine-tab-5mg'));
    assert.equal((await expandUrl('formulary-long-prescription-allowed')).expansion?.total, 108);
  });

  it('expands an is-a hierarchy: ICD-10 E11 and its children', async () => {
    const vs = await engine.expand({ valueSet: inline({ include: [{
      system: icd10,
      filter: [{ property: 'concept', op: 'is-a', value: 'E11' }],
    }] }) });
    assert.deepEqual(codes(vs), ['E11', 'E11.0', 'E11.1', 'E11.2', 'E11.3', 'E11.4', 'E11.5', 'E11.6', 'E11.7', 'E11.8', 'E11.9']);
  });

  it('unions imported value sets: chronic diagnoses = hypertension + type 2 diabetes', async () => {
    const vs = await expandUrl('chronic-disease-diagnoses');
    assert.equal(vs.expansion?.total, 29);
    assert.ok(codes(vs).includes('I10.x00') && codes(vs).includes('E11.900'));
    const used = vs.expansion?.parameter?.filter((p) => p.name === 'used-codesystem').map((p) => p.valueUri);
    assert.deepEqual(used?.sort(), [`${icd10}|1.0.0`, `${clinical}|1.0.0`]);
  });

  it('removes excluded codes, and intersects a system with imported value sets', async () => {
    const excluded = await engine.expand({
      valueSet: inline({
        include: [{ valueSet: [valueSetUrl('type-2-diabetes-diagnoses')] }],
        exclude: [{ system: icd10, filter: [{ property: 'concept', op: 'is-a', value: 'E11' }] }],
      }),
    });
    assert.deepEqual(codes(excluded), ['E11.900', 'E11.101']);
    const intersected = await engine.expand({ valueSet: inline({ include: [{
      system: clinical,
      valueSet: [valueSetUrl('hypertension-diagnoses')],
    }] }) });
    assert.deepEqual(codes(intersected), ['I10.x00', 'I11.900', 'I15.900']);
  });

  it('keeps codes of a system it does not know when the ValueSet lists them (UCUM units)', async () => {
    const vs = await expandUrl('ucum-units');
    assert.equal(vs.expansion?.total, 15);
    assert.equal(vs.expansion?.contains?.[0].system, 'http://unitsofmeasure.org');
  });

  it('leaves out a listed code that a complete code system does not define', async () => {
    const vs = await engine.expand({ valueSet: inline({ include: [{
      system: formulary,
      concept: [{ code: 'metformin-tab-0.5g' }, { code: 'no-such-drug' }],
    }] }) });
    assert.deepEqual(codes(vs), ['metformin-tab-0.5g']);
  });
});

describe('expand: text filter', () => {
  it("finds Chinese text inside a designation: '糖尿病' finds 2型糖尿病 and 非胰岛素依赖型糖尿病", async () => {
    const vs = await expandUrl('chronic-disease-diagnoses', { filter: '糖尿病' });
    assert.equal(vs.expansion?.total, 12);
    assert.ok(codes(vs).includes('E11.900'), '2型糖尿病');
    assert.ok(codes(vs).every((c) => c.startsWith('E11')));
    assert.deepEqual(vs.expansion?.parameter?.find((p) => p.name === 'filter'), { name: 'filter', valueString: '糖尿病' });
  });

  it("'高血压' finds the hypertension codes and no diabetes code", async () => {
    const vs = await expandUrl('chronic-disease-diagnoses', { filter: '高血压' });
    assert.equal(vs.expansion?.total, 17);
    assert.ok(codes(vs).includes('I15.900'), '继发性高血压');
    assert.ok(!codes(vs).some((c) => c.startsWith('E')));
  });

  it('matches English words by prefix, every word required', async () => {
    const heart = await expandUrl('chronic-disease-diagnoses', { filter: 'hypertensive heart' });
    assert.deepEqual(codes(heart), ['I11.0', 'I11.9', 'I13.0', 'I13.1', 'I13.2', 'I13.9', 'I11.900']);
    assert.equal((await expandUrl('chronic-disease-diagnoses', { filter: 'tensive' })).expansion?.total, 0, 'not inside a word');
    const drugs = await expandUrl('formulary-antidiabetics', { filter: 'METFORMIN sustained' });
    assert.deepEqual(codes(drugs), ['metformin-srtab-0.5g']);
  });

  it('finds Chinese drug names in the formulary: 二甲双胍', async () => {
    const vs = await expandUrl('formulary-antidiabetics', { filter: '二甲双胍' });
    assert.deepEqual(codes(vs), ['metformin-tab-0.25g', 'metformin-tab-0.5g', 'metformin-srtab-0.5g', 'metformin-ectab-0.25g']);
  });

  it('an expansion without a match has total 0 and no contains', async () => {
    const vs = await expandUrl('formulary-all', { filter: '不存在的药' });
    assert.equal(vs.expansion?.total, 0);
    assert.equal(vs.expansion?.contains, undefined);
  });
});

describe('expand: paging and presentation', () => {
  it('pages with count and offset over the whole expansion, reporting total and offset', async () => {
    const all = codes(await expandUrl('formulary-antihypertensives'));
    const page = await expandUrl('formulary-antihypertensives', { offset: 10, count: 5 });
    assert.equal(page.expansion?.total, 48);
    assert.equal(page.expansion?.offset, 10);
    assert.deepEqual(codes(page), all.slice(10, 15));
    const params = page.expansion?.parameter?.filter((p) => p.name === 'count' || p.name === 'offset');
    assert.deepEqual(params, [{ name: 'offset', valueInteger: 10 }, { name: 'count', valueInteger: 5 }]);
    const last = await expandUrl('formulary-antihypertensives', { offset: 45, count: 5 });
    assert.deepEqual(codes(last), all.slice(45));
    const sizeOnly = await expandUrl('formulary-antihypertensives', { count: 0 });
    assert.equal(sizeOnly.expansion?.total, 48);
    assert.equal(sizeOnly.expansion?.contains, undefined);
  });

  it('pages a filtered expansion', async () => {
    const page = await expandUrl('chronic-disease-diagnoses', { filter: '高血压', count: 5, offset: 15 });
    assert.equal(page.expansion?.total, 17);
    assert.deepEqual(codes(page), ['I11.900', 'I15.900']);
  });

  it('displayLanguage zh-CN shows the Chinese designation, and en the English one of a Chinese system', async () => {
    const zh = await expandUrl('hypertension-diagnoses', { displayLanguage: 'zh-CN', count: 1 });
    assert.equal(zh.expansion?.contains?.[0].display, '特发性（原发性）高血压');
    assert.deepEqual(zh.expansion?.parameter?.find((p) => p.name === 'displayLanguage'), { name: 'displayLanguage', valueCode: 'zh-CN' });
    assert.equal((await expandUrl('hypertension-diagnoses', { displayLanguage: 'zh', count: 1 })).expansion?.contains?.[0].display, '特发性（原发性）高血压');
    assert.equal((await expandUrl('hypertension-diagnoses', { count: 1 })).expansion?.contains?.[0].display, 'Essential (primary) hypertension');
    const lab = await engine.expand({
      valueSet: inline({ include: [{ system: labB100, concept: [{ code: '100101' }] }] }),
      displayLanguage: 'en',
    });
    assert.equal(lab.expansion?.contains?.[0].display, 'Glucose, fasting (venous serum)');
  });

  it('includeDesignations adds the designations to each code', async () => {
    const vs = await expandUrl('blood-pressure-codes', { includeDesignations: true, count: 1 });
    assert.deepEqual(vs.expansion?.contains?.[0].designation, [
      { language: 'zh-CN', use: { system: 'http://terminology.hl7.org/CodeSystem/designation-usage', code: 'display' }, value: '血压组套' },
    ]);
    assert.equal((await expandUrl('blood-pressure-codes', { count: 1 })).expansion?.contains?.[0].designation, undefined);
  });

  it('marks abstract and inactive codes; activeOnly and excludeNotForUI leave them out', async () => {
    const cs: CodeSystem = {
      resourceType: 'CodeSystem',
      url: 'https://example.org/status',
      status: 'active',
      content: 'complete',
      concept: [
        { code: 'group', property: [{ code: 'notSelectable', valueBoolean: true }], concept: [
          { code: 'current' },
          { code: 'old', property: [{ code: 'status', valueCode: 'retired' }] },
        ] },
      ],
    };
    const withStatus = networkEngine([cs]);
    const valueSet = inline({ include: [{ system: cs.url }] });
    const all = (await withStatus.expand({ valueSet })).expansion?.contains as ValueSetExpansionContains[];
    assert.deepEqual(all.map((c) => [c.code, c.abstract ?? false, c.inactive ?? false]), [
      ['group', true, false],
      ['current', false, false],
      ['old', false, true],
    ]);
    assert.deepEqual(codes(await withStatus.expand({ valueSet, activeOnly: true })), ['group', 'current']);
    assert.deepEqual(codes(await withStatus.expand({ valueSet, excludeNotForUI: true })), ['current', 'old']);
  });

  it('returns the implicit ValueSet of a code system ([system]?fhir_vs, ?fhir_vs=isa/[code])', async () => {
    assert.equal((await engine.expand({ valueSet: { url: `${icd10}?fhir_vs` } })).expansion?.total, 31);
    assert.equal((await engine.expand({ valueSet: { url: `${icd10}?fhir_vs=isa/I15` } })).expansion?.total, 6);
  });
});

describe('expand: what cannot be expanded', () => {
  it('an unknown ValueSet url is 404 naming the url parameter', async () => {
    await assert.rejects(engine.expand({ valueSet: { url: 'https://fhir.dhc.example/ValueSet/nope' } }), (err: unknown) => {
      assert.ok(isError(404, 'not-found')(err));
      assert.deepEqual((err as FhirError).outcome.issue?.[0].expression, ['url']);
      return true;
    });
  });

  it('all codes or a filter of an unknown system is 422, naming the system', async () => {
    await assert.rejects(engine.expand({ valueSet: inline({ include: [{ system: 'http://snomed.info/sct' }] }) }), (err: unknown) => {
      assert.ok(isError(422, 'not-found')(err));
      assert.match((err as FhirError).message, /http:\/\/snomed\.info\/sct/);
      return true;
    });
  });

  it('all codes of a system whose content is not-present or example is 422 not-supported', async () => {
    for (const content of ['not-present', 'example'] as const) {
      const cs: CodeSystem = {
        resourceType: 'CodeSystem',
        url: `https://example.org/${content}`,
        status: 'active',
        content,
        concept: [{ code: 'x' }],
      };
      await assert.rejects(networkEngine([cs]).expand({ valueSet: inline({ include: [{ system: cs.url }] }) }), isError(422, 'not-supported'));
    }
  });

  it('an import of an unknown ValueSet, and value sets that include each other, are 422', async () => {
    await assert.rejects(engine.expand({ valueSet: inline({ include: [{ valueSet: ['https://example.org/ValueSet/none'] }] }) }), isError(422, 'not-found'));
    const a: ValueSet = {
      resourceType: 'ValueSet',
      url: 'https://example.org/ValueSet/a',
      status: 'active',
      compose: { include: [{ valueSet: ['https://example.org/ValueSet/b'] }] },
    };
    const b: ValueSet = {
      resourceType: 'ValueSet',
      url: 'https://example.org/ValueSet/b',
      status: 'active',
      compose: { include: [{ valueSet: ['https://example.org/ValueSet/a'] }] },
    };
    const cyclic = networkEngine([a, b]);
    const results = await Promise.allSettled([
      cyclic.expand({ valueSet: { url: a.url as string } }),
      cyclic.expand({ valueSet: { url: b.url as string } }),
    ]);
    for (const result of results) {
      assert.equal(result.status, 'rejected');
      assert.match(((result as PromiseRejectedResult).reason as Error).message, /include each other/);
    }
  });

  it('an expansion larger than the limit is 422 too-costly', async () => {
    const small = new LocalTerminology(new InMemoryTerminologySource(networkTerminology()), { maxExpansionSize: 100 });
    await assert.rejects(small.expand({ valueSet: { url: valueSetUrl('formulary-all') } }), isError(422, 'too-costly'));
    assert.equal((await small.expand({ valueSet: { url: valueSetUrl('formulary-antidiabetics') } })).expansion?.total, 37);
  });
});
