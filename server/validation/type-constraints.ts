// The constraints of a data type, wherever a value of it sits (https://hl7.org/fhir/R4/conformance-rules.html#constraints):
// per-1 on every Period, qty-3 and sqty-1 on a SimpleQuantity, dom-2 on a contained resource.
import { tryGetDataType, type Constraint, type InternalSchemaElement, type InternalTypeSchema } from '@medplum/core';

const hl7StructureDefinition = 'http://hl7.org/fhir/StructureDefinition/';

const typeConstraintCache = new WeakMap<InternalSchemaElement, Map<string, Constraint[]>>();

/**
 * The constraints of a value's type, and of the profiles of the type its element names (SimpleQuantity's
 * sqty-1 on Range.low), without those the element already lists (its snapshot may repeat them).
 */
export function typeConstraints(type: string, schema: InternalTypeSchema, element: InternalSchemaElement): Constraint[] {
  let byType = typeConstraintCache.get(element);
  if (!byType) {
    byType = new Map();
    typeConstraintCache.set(element, byType);
  }
  let constraints = byType.get(type);
  if (!constraints) {
    const byKey = new Map<string, Constraint>();
    for (const c of schema.constraints ?? []) {
      byKey.set(c.key, c);
    }
    for (const profile of element.type.find((t) => t.code === type)?.profile ?? []) {
      const name = baseTypeOf(profile);
      for (const c of (name && name !== type ? tryGetDataType(name)?.constraints : undefined) ?? []) {
        byKey.set(c.key, c);
      }
    }
    const own = new Set((element.constraints ?? []).map((c) => c.key));
    constraints = [...byKey.values()].filter((c) => !own.has(c.key));
    byType.set(type, constraints);
  }
  return constraints;
}

/** 'http://hl7.org/fhir/StructureDefinition/Patient' -> 'Patient'; other urls are not base types. */
export function baseTypeOf(target: string): string | undefined {
  if (!target.startsWith(hl7StructureDefinition)) {
    return undefined;
  }
  const name = target.slice(hl7StructureDefinition.length).split('|')[0];
  return /^[A-Z][A-Za-z]+$/.test(name) ? name : undefined;
}
