// Reads a FHIRPath Patch Parameters resource (https://hl7.org/fhir/R4/fhirpatch.html) into typed operations, so that
// every malformed operation, FHIRPath syntax included, is a 400 naming it before anything is applied.
import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { badRequest } from '../../outcomes';
import { isJsonObject, type JsonObject } from './element-location';
import { malformedOperation } from './patch-errors';
import { readPatchValue, type PatchValue } from './patch-value';

export type FhirPathPatchOperation =
  | { type: 'add'; path: string; expression: FhirPathAtom; name: string; value: PatchValue }
  | { type: 'insert'; path: string; expression: FhirPathAtom; value: PatchValue; index: number }
  | { type: 'delete'; path: string; expression: FhirPathAtom }
  | { type: 'replace'; path: string; expression: FhirPathAtom; value: PatchValue }
  | { type: 'move'; path: string; expression: FhirPathAtom; source: number; destination: number };

type OperationType = FhirPathPatchOperation['type'];

/** The parts each operation type takes besides type and path (the table at the top of the spec page). */
const partsByType: Record<OperationType, readonly string[]> = {
  add: ['name', 'value'],
  insert: ['value', 'index'],
  delete: [],
  replace: ['value'],
  move: ['source', 'destination'],
};

export function readFhirPathPatch(parameters: unknown): FhirPathPatchOperation[] {
  if (!isJsonObject(parameters) || parameters.resourceType !== 'Parameters') {
    throw badRequest('A FHIRPath Patch must be a Parameters resource (https://hl7.org/fhir/R4/fhirpatch.html)');
  }
  const list = parameters.parameter ?? [];
  if (!Array.isArray(list)) {
    throw badRequest('Parameters.parameter must be an array', 'Parameters.parameter');
  }
  return list.map((parameter, index) => readOperation(parameter, index));
}

function readOperation(parameter: unknown, index: number): FhirPathPatchOperation {
  const where = `Parameters.parameter[${index}]`;
  if (!isJsonObject(parameter) || parameter.name !== 'operation') {
    throw malformedOperation(index, "each parameter of a FHIRPath Patch must be named 'operation'", where);
  }
  const parts = readParts(parameter, index, where);
  const type = readType(parts, index, where);
  for (const name of parts.keys()) {
    if (name !== 'type' && name !== 'path' && !partsByType[type].includes(name)) {
      throw malformedOperation(index, `a '${type}' operation takes no '${name}' part`, parts.get(name)!.where);
    }
  }
  const path = readString(parts, 'path', index, where);
  const expression = readExpression(path, index, parts.get('path')!.where);
  switch (type) {
    case 'add':
      return {
        type,
        path,
        expression,
        name: readString(parts, 'name', index, where),
        value: readValue(parts, index, where),
      };
    case 'insert':
      return {
        type,
        path,
        expression,
        value: readValue(parts, index, where),
        index: readIndex(parts, 'index', index, where),
      };
    case 'delete':
      return { type, path, expression };
    case 'replace':
      return { type, path, expression, value: readValue(parts, index, where) };
    case 'move':
      return {
        type,
        path,
        expression,
        source: readIndex(parts, 'source', index, where),
        destination: readIndex(parts, 'destination', index, where),
      };
  }
}

type Parts = Map<string, { part: JsonObject; where: string }>;

function readParts(parameter: JsonObject, index: number, where: string): Parts {
  if (!Array.isArray(parameter.part)) {
    throw malformedOperation(index, 'the operation has no parts (type, path, ...)', where);
  }
  const parts: Parts = new Map();
  for (const [i, part] of parameter.part.entries()) {
    const partWhere = `${where}.part[${i}]`;
    if (!isJsonObject(part) || typeof part.name !== 'string') {
      throw malformedOperation(index, 'each part must be an object with a name', partWhere);
    }
    if (parts.has(part.name)) {
      throw malformedOperation(index, `the part '${part.name}' is given more than once`, partWhere);
    }
    parts.set(part.name, { part, where: partWhere });
  }
  return parts;
}

function readType(parts: Parts, index: number, where: string): OperationType {
  const entry = parts.get('type');
  if (!entry) {
    throw malformedOperation(index, "the operation has no 'type' part", where);
  }
  const type = entry.part.valueCode;
  if (typeof type !== 'string' || !Object.hasOwn(partsByType, type)) {
    throw malformedOperation(
      index,
      `the 'type' part must be a valueCode, one of ${Object.keys(partsByType).join(', ')}; ` +
        `it is ${JSON.stringify(type ?? null)}`,
      entry.where
    );
  }
  return type as OperationType;
}

function readString(parts: Parts, name: 'path' | 'name', index: number, where: string): string {
  const entry = parts.get(name);
  if (!entry) {
    throw malformedOperation(index, `the operation has no '${name}' part`, where);
  }
  const value = entry.part.valueString;
  if (typeof value !== 'string' || value.trim() === '') {
    throw malformedOperation(index, `the '${name}' part must have a non-empty valueString`, entry.where);
  }
  return value;
}

function readExpression(path: string, index: number, where: string): FhirPathAtom {
  try {
    return parseFhirPath(path);
  } catch (err) {
    throw malformedOperation(index, `the path '${path}' is not valid FHIRPath: ${(err as Error).message}`, where);
  }
}

function readIndex(parts: Parts, name: 'index' | 'source' | 'destination', index: number, where: string): number {
  const entry = parts.get(name);
  if (!entry) {
    throw malformedOperation(index, `the operation has no '${name}' part`, where);
  }
  const value = entry.part.valueInteger;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw malformedOperation(index, `the '${name}' part must have a valueInteger of 0 or more`, entry.where);
  }
  return value;
}

function readValue(parts: Parts, index: number, where: string): PatchValue {
  const entry = parts.get('value');
  if (!entry) {
    throw malformedOperation(index, "the operation has no 'value' part", where);
  }
  const value = readPatchValue(entry.part, entry.where);
  if ('problem' in value) {
    throw malformedOperation(index, `the value is malformed: ${value.problem}`, entry.where);
  }
  return value;
}
