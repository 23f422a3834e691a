// The R4 resource types and the per-type facts the REST layer needs (summary and mandatory elements),
// read from the R4 StructureDefinitions that the search registry already loads into @medplum/core,
// so that the 35 MB of definitions are parsed once per process.
import { getDataType } from '@medplum/core';
import { ensureFhirSchema } from '../search/indexing/fhir-schema';

export interface ResourceDefinition {
  type: string;
  /** Top-level element names marked isSummary (choice elements with their [x], e.g. 'deceased[x]'). */
  summaryElements: Set<string>;
  /** Top-level element names with min >= 1. */
  mandatoryElements: Set<string>;
}

/** Types in the definitions that are not FHIR 4.0.1 (an R4B backport). */
const notR4 = new Set(['SubscriptionStatus']);

let definitions: Map<string, ResourceDefinition> | undefined;

function load(): Map<string, ResourceDefinition> {
  const result = new Map<string, ResourceDefinition>();
  for (const type of ensureFhirSchema().resourceTypes) {
    if (notR4.has(type)) {
      continue;
    }
    const schema = getDataType(type);
    // summaryProperties names choice elements by their stem ('deceased'); the elements carry the [x].
    const withChoice = (name: string): string => (schema.elements[`${name}[x]`] ? `${name}[x]` : name);
    result.set(type, {
      type,
      summaryElements: new Set([...(schema.summaryProperties ?? [])].map(withChoice)),
      mandatoryElements: new Set(Object.entries(schema.elements).filter(([, e]) => e.min > 0).map(([name]) => name)),
    });
  }
  return result;
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
