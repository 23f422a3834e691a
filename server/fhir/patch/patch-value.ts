// The `value` of a FHIRPath Patch operation (https://hl7.org/fhir/R4/fhirpatch.html): a value[x], a resource, or a
// `part` per child element; read for shape (400), then built as the type of its target (422 when it does not fit).
import { cloneKeepingNumbers } from '../../json/number-text';
import { capitalize, getElementDefinition, tryGetDataType } from '@medplum/core';
import { isJsonObject, type JsonObject } from './element-location';
import { insertItem, listLength, setSingle, type ElementValue } from './element-edit';
import { choiceKey, elementFacts, isPrimitiveType, typeMismatch } from './element-schema';
import { InapplicableOperation } from './patch-errors';

export type PatchValue =
  /** A value[x] or a resource: its type is what the JSON key says (valueHumanName) or the resourceType. */
  | { kind: 'typed'; type: string; json: unknown; elementPart?: JsonObject }
  /** Children by name, to be built into an object of the type the target needs. */
  | { kind: 'parts'; parts: { name: string; value: PatchValue }[] };

/** A value ready to write, with the type it has. */
export type BuiltValue = ElementValue & { type: string };

/** Reads a Parameters.parameter (or part) that carries a value; returns a reason for a 400 when it is malformed. */
export function readPatchValue(part: JsonObject, where: string): PatchValue | { problem: string } {
  const valueKeys = Object.keys(part).filter((k) => /^value[A-Z]/.test(k));
  const sources = valueKeys.length + (part.resource !== undefined ? 1 : 0) + (part.part !== undefined ? 1 : 0);
  if (sources !== 1) {
    return {
      problem:
        `${where} must have exactly one of value[x], resource or part` +
        (valueKeys.length > 1 ? ` (it has ${valueKeys.join(', ')})` : ''),
    };
  }
  if (valueKeys.length === 1) {
    return readTypedValue(part, valueKeys[0], where);
  }
  if (part.resource !== undefined) {
    const resource = part.resource;
    if (!isJsonObject(resource) || typeof resource.resourceType !== 'string') {
      return { problem: `${where}.resource must be a resource (a JSON object with a resourceType)` };
    }
    return { kind: 'typed', type: resource.resourceType, json: resource };
  }
  return readParts(part.part, where);
}

/** The data types value[x] can carry, by the suffix of its JSON key: 'HumanName' -> HumanName, 'DateTime' -> dateTime. */
let valueTypes: Map<string, string> | undefined;

function valueTypeFor(suffix: string): string | undefined {
  valueTypes ??= new Map(
    (getElementDefinition('ParametersParameter', 'value[x]')?.type ?? []).map((t) => [capitalize(t.code), t.code])
  );
  return valueTypes.get(suffix);
}

function readTypedValue(part: JsonObject, key: string, where: string): PatchValue | { problem: string } {
  const type = valueTypeFor(key.slice('value'.length));
  if (!type) {
    return { problem: `${where}.${key}: '${key}' is not a value[x] of an R4 data type` };
  }
  const json = part[key];
  const fits = isPrimitiveType(type) ? ['string', 'number', 'boolean'].includes(typeof json) : isJsonObject(json);
  if (!fits) {
    const expected = isPrimitiveType(type) ? 'a JSON string, number or boolean' : 'a JSON object';
    return { problem: `${where}.${key} must be ${expected}` };
  }
  const elementPart = part['_' + key];
  return { kind: 'typed', type, json, ...(isJsonObject(elementPart) ? { elementPart } : {}) };
}

function readParts(parts: unknown, where: string): PatchValue | { problem: string } {
  if (!Array.isArray(parts) || parts.length === 0) {
    return { problem: `${where}.part must be a non-empty array` };
  }
  const children: { name: string; value: PatchValue }[] = [];
  for (const [i, child] of parts.entries()) {
    const childWhere = `${where}.part[${i}]`;
    if (!isJsonObject(child) || typeof child.name !== 'string' || child.name === '') {
      return { problem: `${childWhere} must be an object with a name (the element it sets)` };
    }
    const value = readPatchValue(child, childWhere);
    if ('problem' in value) {
      return value;
    }
    children.push({ name: child.name, value });
  }
  return { kind: 'parts', parts: children };
}

/**
 * Makes the JSON to write from `value`. `type` is the type the target element has (undefined for a choice element,
 * whose callers check the value's type against the choice): a typed value must fit it, and a value given as parts
 * is built as one, its children checked against the definitions. Copies, so that the resource never shares objects
 * with the patch document.
 */
export function buildValue(value: PatchValue, type: string | undefined): BuiltValue {
  if (value.kind === 'typed') {
    const mismatch = type ? typeMismatch(value.type, value.json, type) : undefined;
    if (mismatch) {
      throw new InapplicableOperation(mismatch);
    }
    return {
      type: value.type,
      json: cloneKeepingNumbers(value.json),
      ...(value.elementPart ? { elementPart: cloneKeepingNumbers(value.elementPart) } : {}),
    };
  }
  if (!type || isPrimitiveType(type) || type === 'Resource' || !tryGetDataType(type)) {
    throw new InapplicableOperation(
      `a value given as parts needs a target of a known complex type${type ? `, and '${type}' is not one` : ''}; ` +
        'use value[x]'
    );
  }
  return { type, json: buildObject(value.parts, type) };
}

function buildObject(parts: { name: string; value: PatchValue }[], type: string): JsonObject {
  const result: JsonObject = {};
  const seen = new Set<string>();
  for (const { name, value } of parts) {
    const facts = elementFacts(type, name);
    if (!facts) {
      throw new InapplicableOperation(`${type} has no element '${name}'`);
    }
    if (facts.isChoice && value.kind === 'parts') {
      throw new InapplicableOperation(`${type}.${facts.name}[x] is a choice of types: give it as value[x], not parts`);
    }
    const built = buildValue(value, facts.isChoice ? undefined : facts.types[0]);
    const key = facts.isChoice ? checkedChoiceKey(facts, name, built.type) : name;
    if (facts.repeats) {
      insertItem(result, key, listLength(result, key), built);
    } else if (seen.has(facts.name)) {
      throw new InapplicableOperation(`${type}.${facts.name} does not repeat, but the value gives it more than once`);
    } else {
      setSingle(result, key, built);
    }
    seen.add(facts.name);
  }
  return result;
}

/**
 * The JSON key for choice element `choice` (value[x]) given by the name `name` ('value', or the typed 'valueQuantity')
 * and a value of `valueType`; 422 when the choice does not allow that type.
 */
export function checkedChoiceKey(choice: { name: string; types: string[] }, name: string, valueType: string): string {
  const key = choiceKey(choice.name, valueType);
  if (!choice.types.includes(valueType) || (name !== choice.name && name !== key)) {
    throw new InapplicableOperation(
      `${choice.name}[x] cannot hold a ${valueType} as '${name}': it allows ${choice.types.join(', ')}`
    );
  }
  return key;
}
