// The contract every TerminologySource passes: the same suite runs against the in-memory source, the
// store-backed one and the layered one. A known gap of a source is listed with its reason, never hidden.
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import type { TerminologySource } from '../../server/terminology/terminology-source';

const system = 'https://example.org/CodeSystem/contract';
const codeSystem = (version: string, display: string): CodeSystem => ({
  resourceType: 'CodeSystem',
  id: `contract-${version.replace(/\./g, '-')}`,
  url: system,
  version,
  status: 'active',
  content: 'complete',
  concept: [{ code: 'a', display }],
});
const valueSet: ValueSet = {
  resourceType: 'ValueSet',
  id: 'contract-vs',
  url: 'https://example.org/ValueSet/contract',
  version: '1',
  status: 'active',
  compose: { include: [{ system }] },
};
const map = (id: string, source: string, target: string, extra: Partial<ConceptMap> = {}): ConceptMap => ({
  resourceType: 'ConceptMap',
  id,
  url: `https://example.org/ConceptMap/${id}`,
  status: 'active',
  group: [{ source, target, element: [{ code: 'a', target: [{ code: 'b', equivalence: 'equivalent' }] }] }],
  ...extra,
});

/** The resources every source under test is opened with. */
export const contractResources: Resource[] = [
  codeSystem('1.9.0', 'Old'),
  codeSystem('1.10.0', 'Newest'),
  codeSystem('1.2.0', 'Older'),
  valueSet,
  map('lab-to-loinc', 'https://example.org/lab', 'http://loinc.org', {
    sourceUri: 'https://example.org/ValueSet/lab',
    targetUri: 'https://example.org/ValueSet/loinc',
  }),
  map('icd-cn-to-icd', 'https://example.org/icd-cn', 'http://hl7.org/fhir/sid/icd-10'),
];

export function describeSourceContract(name: string, open: () => Promise<TerminologySource>, knownGaps: string[] = []): void {
  describe(`terminology source contract: ${name}`, () => {
    let source: TerminologySource;
    before(async () => {
      source = await open();
    });
    const unlessGap = (title: string, test: () => Promise<void>): void => {
      (knownGaps.includes(title) ? it.skip : it)(title, test);
    };

    unlessGap('finds a CodeSystem by url: the version asked for, or the latest (1.10 after 1.9)', async () => {
      assert.equal((await source.codeSystem(system, '1.9.0'))?.concept?.[0].display, 'Old');
      assert.equal((await source.codeSystem(system))?.version, '1.10.0');
      assert.equal(await source.codeSystem(system, '3.0'), undefined);
      assert.equal(await source.codeSystem('https://example.org/CodeSystem/none'), undefined);
    });

    unlessGap('finds a ValueSet by url and version', async () => {
      assert.equal((await source.valueSet(valueSet.url as string))?.id, 'contract-vs');
      assert.equal((await source.valueSet(valueSet.url as string, '1'))?.id, 'contract-vs');
      assert.equal(await source.valueSet(valueSet.url as string, '2'), undefined);
      assert.equal(await source.valueSet(system), undefined, 'a CodeSystem url is no ValueSet');
    });

    unlessGap('finds ConceptMaps by url, by group source and target system, and by source and target ValueSet', async () => {
      const ids = async (criteria: Parameters<TerminologySource['conceptMaps']>[0]): Promise<string[]> =>
        (await source.conceptMaps(criteria)).map((m) => m.id as string).sort();
      assert.deepEqual(await ids({ url: 'https://example.org/ConceptMap/lab-to-loinc' }), ['lab-to-loinc']);
      assert.deepEqual(await ids({ sourceSystem: 'https://example.org/icd-cn' }), ['icd-cn-to-icd']);
      assert.deepEqual(await ids({ targetSystem: 'http://loinc.org' }), ['lab-to-loinc']);
      assert.deepEqual(await ids({ source: 'https://example.org/ValueSet/lab' }), ['lab-to-loinc']);
      assert.deepEqual(await ids({ target: 'https://example.org/ValueSet/loinc' }), ['lab-to-loinc']);
      assert.deepEqual(await ids({ sourceSystem: 'https://example.org/icd-cn', targetSystem: 'http://loinc.org' }), []);
      assert.deepEqual(await ids({ sourceSystem: 'http://nowhere.example' }), []);
    });
  });
}
