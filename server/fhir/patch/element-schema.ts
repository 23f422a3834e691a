// What the R4 definitions say about an element, as FHIRPath Patch needs it: its JSON key (value[x] is stored as
// valueQuantity, https://hl7.org/fhir/R4/formats.html#choice), whether it repeats, and its type.
import { capitalize, getElementDefinition, type InternalSchemaElement } from '@medplum/core';

export interface ElementFacts {
  /** The element's name without [x]: 'value' for Observation.value[x]. */
  name: string;
  /** Type codes as the definitions spell them: 'Quantity', 'dateTime', 'PatientContact' for a backbone element. */
  types: string[];
  /** True for value[x]: the JSON key is the name plus the capitalized type of the value. */
  isChoice: boolean;
  repeats: boolean;
}

/** Facts about `name` in `type` ('Patient', 'HumanName', 'PatientContact'); undefined when the definitions lack it. */
export function elementFacts(type: string | undefined, name: string): ElementFacts | undefined {
  if (!type) {
    return undefined;
  }
  const definition: InternalSchemaElement | undefined = getElementDefinition(type, name);
  // The definitions are plain objects: 'constructor' or 'toString' would find Object.prototype's members.
  if (!definition || !Object.hasOwn(definition, 'path')) {
    return undefined;
  }
  const last = definition.path.slice(definition.path.lastIndexOf('.') + 1);
  const isChoice = last.endsWith('[x]');
  return {
    name: isChoice ? last.slice(0, -3) : last,
    types: definition.type.map((t) => t.code),
    isChoice,
    repeats: definition.isArray ?? definition.max > 1,
  };
}

/** The JSON key of a choice element holding a value of `type`: ('value', 'Quantity') is valueQuantity. */
export function choiceKey(name: string, type: string): string {
  return name + capitalize(type);
}

/** Primitive types are spelled in lower camel case ('dateTime'), complex types in upper ('HumanName'). */
export function isPrimitiveType(type: string): boolean {
  return /^[a-z]/.test(type);
}

/** R4 profiles of Quantity, which are stored as a Quantity (https://hl7.org/fhir/R4/datatypes.html#quantity). */
const quantityProfiles = new Set(['Age', 'Count', 'Distance', 'Duration', 'MoneyQuantity', 'SimpleQuantity']);

/** How each primitive type is written in JSON (https://hl7.org/fhir/R4/json.html#primitive): most are strings. */
function jsonKindOf(primitiveType: string): 'boolean' | 'number' | 'string' {
  if (primitiveType === 'boolean') {
    return 'boolean';
  }
  return ['integer', 'decimal', 'positiveInt', 'unsignedInt'].includes(primitiveType) ? 'number' : 'string';
}

/**
 * Why a value of `valueType` (with JSON `json`) cannot go where `targetType` is expected, or undefined when it can.
 * The spec requires an error when the type is wrong; a primitive is checked by its JSON kind, since the value's
 * format (a date's pattern, say) is for the validation of the patched resource to judge.
 */
export function typeMismatch(valueType: string, json: unknown, targetType: string): string | undefined {
  if (isPrimitiveType(targetType)) {
    const kind = jsonKindOf(targetType);
    return typeof json === kind
      ? undefined
      : `the element is a ${targetType}, written as a JSON ${kind}, and the value is a ${valueType}`;
  }
  if (valueType === targetType || (targetType === 'Quantity' && quantityProfiles.has(valueType))) {
    return undefined;
  }
  if (targetType === 'Resource' && typeof json === 'object' && json !== null && 'resourceType' in json) {
    return undefined;
  }
  return `the element is a ${targetType}, and the value is a ${valueType}`;
}
