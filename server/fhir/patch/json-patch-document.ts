// Reads a JSON Patch document (RFC 6902 section 3-4, https://www.rfc-editor.org/rfc/rfc6902#section-4) into typed
// operations, so that every malformed document is a 400 naming the operation, before anything is applied.
import { badRequest } from '../../outcomes';
import { parsePointer } from './json-pointer';
import { malformedOperation } from './patch-errors';

export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; tokens: string[]; value: unknown }
  | { op: 'remove'; path: string; tokens: string[] }
  | { op: 'move' | 'copy'; path: string; tokens: string[]; from: string; fromTokens: string[] };

const operationNames = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OperationName = (typeof operationNames)[number];

/** Checks the document's shape and returns its operations; members an operation does not use are ignored (RFC 6902 s4). */
export function readJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) {
    throw badRequest('A JSON Patch document must be a JSON array of operations (RFC 6902)');
  }
  return patch.map((operation, index) => readOperation(operation, index));
}

function readOperation(operation: unknown, index: number): JsonPatchOperation {
  if (typeof operation !== 'object' || operation === null || Array.isArray(operation)) {
    throw malformedOperation(index, 'an operation must be a JSON object');
  }
  const members = operation as Record<string, unknown>;
  const op = readOpName(members, index);
  const path = readPointer(members, 'path', index);
  switch (op) {
    case 'add':
    case 'replace':
    case 'test':
      // A value of null is a value; only a missing member is an error.
      if (!Object.hasOwn(members, 'value')) {
        throw malformedOperation(index, `'${op}' needs a 'value'`);
      }
      return { op, ...path, value: members.value };
    case 'remove':
      return { op, ...path };
    case 'move':
    case 'copy': {
      const from = readPointer(members, 'from', index);
      return { op, ...path, from: from.path, fromTokens: from.tokens };
    }
  }
}

function readOpName(members: Record<string, unknown>, index: number): OperationName {
  const op = members.op;
  if (op === undefined) {
    throw malformedOperation(index, "the operation has no 'op'");
  }
  if (typeof op !== 'string' || !(operationNames as readonly string[]).includes(op)) {
    throw malformedOperation(index, `unknown op ${JSON.stringify(op)}: expected one of ${operationNames.join(', ')}`);
  }
  return op as OperationName;
}

function readPointer(
  members: Record<string, unknown>,
  name: 'path' | 'from',
  index: number
): { path: string; tokens: string[] } {
  const pointer = members[name];
  if (pointer === undefined) {
    throw malformedOperation(index, `the operation has no '${name}'`);
  }
  if (typeof pointer !== 'string') {
    throw malformedOperation(index, `'${name}' must be a string (a JSON Pointer)`);
  }
  const tokens = parsePointer(pointer);
  if (!Array.isArray(tokens)) {
    throw malformedOperation(index, `'${name}' ${JSON.stringify(pointer)} is not a valid JSON Pointer: ${tokens.problem}`);
  }
  return { path: pointer, tokens };
}
