// The TerminologySources: the contract on each, and what only the base definitions and the layering do.
import type { CodeSystem } from '@medplum/fhirtypes';
import { strict as assert } from 'node:assert';
import { isResourceType } from '../../server/fhir/resource-definitions';
import { BaseDefinitionsSource } from '../../server/terminology/base-definitions-source';
import { LayeredTerminologySource } from '../../server/terminology/layered-source';
import { InMemoryTerminologySource } from '../../server/terminology/memory-source';
import { StoreTerminologySource } from '../../server/terminology/store-source';
import { createCanonicalLookup } from '../../server/canonical-lookup';
import { memoryStore, testBaseUrl, testRegistry } from '../helpers/test-server';
import { contractResources, describeSourceContract } from './source-contract';

async function storeSource(): Promise<StoreTerminologySource> {
  const store = memoryStore();
  for (const resource of contractResources) {
    await store.update(resource);
  }
  return new StoreTerminologySource(createCanonicalLookup(store, { registry: testRegistry(), baseUrl: testBaseUrl, isResourceType }), testBaseUrl);
}

describeSourceContract('in memory', async () => new InMemoryTerminologySource(contractResources));
describeSourceContract('store (SQLite in memory)', storeSource);
describeSourceContract('layered: store over the base definitions', async () =>
  new LayeredTerminologySource([await storeSource(), new BaseDefinitionsSource()])
);

describe('base R4 definitions source', () => {
  const source = new BaseDefinitionsSource();

  it('holds FHIR, HL7 v3 and v2 code systems, value sets and the R4 concept maps', async () => {
    assert.equal((await source.codeSystem('http://hl7.org/fhir/administrative-gender'))?.concept?.length, 4);
    assert.ok(await source.codeSystem('http://terminology.hl7.org/CodeSystem/v3-ActCode'));
    assert.ok(await source.codeSystem('http://terminology.hl7.org/CodeSystem/v2-0203'));
    assert.ok(await source.valueSet('http://hl7.org/fhir/ValueSet/observation-vitalsignresult'));
    assert.ok((await source.conceptMaps({ sourceSystem: 'http://hl7.org/fhir/administrative-gender' })).length > 0);
  });

  it('drops narratives, which are most of the size and never used', async () => {
    const gender = (await source.codeSystem('http://hl7.org/fhir/administrative-gender')) as CodeSystem & { text?: unknown };
    assert.equal(gender.text, undefined);
  });
});

describe('layered source', () => {
  it('asks the layers in order: a resource of the first layer hides one of the same url below', async () => {
    const url = 'http://hl7.org/fhir/administrative-gender';
    const local: CodeSystem = { resourceType: 'CodeSystem', url, status: 'active', content: 'complete', concept: [{ code: 'x' }] };
    const layered = new LayeredTerminologySource([new InMemoryTerminologySource([local]), new BaseDefinitionsSource()]);
    assert.deepEqual((await layered.codeSystem(url))?.concept, [{ code: 'x' }]);
    assert.ok(await layered.valueSet('http://hl7.org/fhir/ValueSet/administrative-gender'), 'falls through to the base');
  });

  it('lists a ConceptMap of a url once, from the first layer that has it', async () => {
    const url = 'https://example.org/ConceptMap/m';
    const map = (id: string) => ({ resourceType: 'ConceptMap' as const, id, url, status: 'active' as const });
    const layered = new LayeredTerminologySource([
      new InMemoryTerminologySource([map('first')]),
      new InMemoryTerminologySource([map('second')]),
    ]);
    assert.deepEqual((await layered.conceptMaps({ url })).map((m) => m.id), ['first']);
  });
});
