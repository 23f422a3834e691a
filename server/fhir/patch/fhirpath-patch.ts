// PATCH with a FHIRPath Patch body (https://hl7.org/fhir/R4/fhirpatch.html): a Parameters resource whose operations
// (add, insert, delete, replace, move) address elements by FHIRPath. Pure: returns a patched copy of the resource.
import { cloneKeepingNumbers } from '../../json/number-text';
import { tryGetDataType } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import { ensureFhirSchema } from '../../search/indexing/fhir-schema';
import { elementPartFor, insertItem, listLength, moveItem, removeSlot, writeSlot } from './element-edit';
import { isJsonObject, readSlot, type JsonObject } from './element-location';
import { choiceKey, elementFacts } from './element-schema';
import { readFhirPathPatch, type FhirPathPatchOperation } from './fhirpath-patch-parameters';
import { InapplicableOperation, inapplicableOperation } from './patch-errors';
import { checkPatchedResource } from './patched-resource';
import { buildValue, checkedChoiceKey } from './patch-value';
import { exactlyOne, findList, locate, select } from './selected-elements';

type Operation<T extends FhirPathPatchOperation['type']> = Extract<FhirPathPatchOperation, { type: T }>;

/** Applies a FHIRPath Patch (a Parameters resource, https://hl7.org/fhir/R4/fhirpatch.html) to a copy of `resource`. */
export function applyFhirPathPatch(resource: Resource, parameters: unknown): Resource {
  // The evaluator needs the R4 definitions to type values (valueQuantity as Observation.value) and so do we.
  ensureFhirSchema();
  const operations = readFhirPathPatch(parameters);
  // Each operation sees the result of the ones before it; a failure discards the copy, so none is half applied.
  const patched = cloneKeepingNumbers(resource) as unknown as JsonObject;
  operations.forEach((operation, index) => {
    try {
      applyOperation(patched, operation);
    } catch (err) {
      if (err instanceof InapplicableOperation) {
        throw inapplicableOperation(index, `${operation.type} at '${operation.path}': ${err.message}`, operation.path);
      }
      throw err;
    }
  });
  return checkPatchedResource(resource, patched);
}

function applyOperation(root: JsonObject, operation: FhirPathPatchOperation): void {
  switch (operation.type) {
    case 'add':
      return add(root, operation);
    case 'insert':
      return insert(root, operation);
    case 'delete':
      return remove(root, operation);
    case 'replace':
      return replace(root, operation);
    case 'move':
      return move(root, operation);
  }
}

/** add: `path` is the element to add to; `name` is the child that receives the value, appended if it repeats. */
function add(root: JsonObject, operation: Operation<'add'>): void {
  const container = exactlyOne(select(root, operation.expression), 'add');
  const slot = locate(root, container, operation.expression);
  const type = slot ? slot.type : (root.resourceType as string);
  const current = slot ? readSlot(slot) : root;
  const name = operation.name.endsWith('[x]') ? operation.name.slice(0, -3) : operation.name;
  const facts = elementFacts(type, name);
  if (!facts && type && tryGetDataType(type)) {
    throw new InapplicableOperation(`${type} has no element '${name}'`);
  }
  const built = buildValue(operation.value, facts && !facts.isChoice ? facts.types[0] : undefined);
  const key = facts?.isChoice ? checkedChoiceKey(facts, name, built.type) : name;
  let holder: JsonObject;
  if (isJsonObject(current)) {
    holder = current;
  } else if (slot && (name === 'id' || name === 'extension')) {
    // A primitive keeps its id and extensions in its `_name` sibling (https://hl7.org/fhir/R4/json.html#primitive).
    holder = elementPartFor(slot);
  } else {
    throw new InapplicableOperation(`the element is a primitive: only an id or an extension can be added to it`);
  }
  if (facts ? facts.repeats : Array.isArray(holder[key])) {
    insertItem(holder, key, listLength(holder, key), built);
    return;
  }
  const keys = facts?.isChoice ? facts.types.map((t) => choiceKey(facts.name, t)) : [key];
  if (keys.some((k) => holder[k] !== undefined && holder[k] !== null)) {
    throw new InapplicableOperation(`'${name}' already has a value and does not repeat; use replace to change it`);
  }
  holder[key] = built.json;
  // Extensions the element already had (a `_name` without a value) stay unless the value brings its own.
  if (built.elementPart) {
    holder['_' + key] = built.elementPart;
  }
}

/** insert: `path` is a whole list (a repeating element); the value goes in before position `index`. */
function insert(root: JsonObject, operation: Operation<'insert'>): void {
  const list = findList(root, operation.expression);
  if (operation.index > list.length) {
    throw new InapplicableOperation(
      `index ${operation.index} is out of range: the list has ${describeCount(list.length)}, so insert takes 0 to ${list.length}`
    );
  }
  insertItem(list.holder, list.key, operation.index, buildValue(operation.value, list.itemType));
}

/** delete: removes the one element `path` selects; when it selects nothing there is nothing to do (spec: "if found"). */
function remove(root: JsonObject, operation: Operation<'delete'>): void {
  const selected = select(root, operation.expression);
  if (selected.length === 0) {
    return;
  }
  if (selected.length > 1) {
    throw new InapplicableOperation(`the path matches ${selected.length} elements; delete removes only one`);
  }
  const slot = locate(root, selected[0], operation.expression);
  if (!slot) {
    throw new InapplicableOperation('a patch cannot delete the resource itself');
  }
  removeSlot(slot);
}

/** replace: the one element `path` selects takes the value; a choice element may change type (valueQuantity to valueString). */
function replace(root: JsonObject, operation: Operation<'replace'>): void {
  const slot = locate(root, exactlyOne(select(root, operation.expression), 'replace'), operation.expression);
  if (!slot) {
    throw new InapplicableOperation('a patch cannot replace the resource itself; use update (PUT)');
  }
  const built = buildValue(operation.value, slot.choice ? undefined : slot.type);
  if (!slot.choice) {
    writeSlot(slot, built);
    return;
  }
  const key = checkedChoiceKey(slot.choice, slot.choice.name, built.type);
  delete slot.holder[slot.key];
  delete slot.holder['_' + slot.key];
  slot.holder[key] = built.json;
  if (built.elementPart) {
    slot.holder['_' + key] = built.elementPart;
  }
}

/** move: within the list `path` selects, the item at `source` ends up at `destination`. */
function move(root: JsonObject, operation: Operation<'move'>): void {
  const list = findList(root, operation.expression);
  for (const [name, index] of [['source', operation.source], ['destination', operation.destination]] as const) {
    if (index >= list.length) {
      throw new InapplicableOperation(`${name} ${index} is out of range: the list has ${describeCount(list.length)}`);
    }
  }
  moveItem(list.holder, list.key, operation.source, operation.destination);
}

function describeCount(length: number): string {
  return `${length} item${length === 1 ? '' : 's'}`;
}
