// Evaluates a FHIRPath Patch path and finds the JSON location of each element it selects; the spec wants elements
// of this resource, not computed values (https://hl7.org/fhir/R4/fhirpatch.html).
import {
  DotAtom,
  evalFhirPathTyped,
  FhirPathAtom,
  SymbolAtom,
  toTypedValue,
  type Atom,
  type TypedValue,
} from '@medplum/core';
import { elementPartFor, listLength } from './element-edit';
import { isJsonObject, locateElement, readSlot, slotHolds, type ElementSlot, type JsonObject } from './element-location';
import { elementFacts } from './element-schema';
import { InapplicableOperation } from './patch-errors';

export function select(root: JsonObject, expression: Atom): TypedValue[] {
  const input = toTypedValue(root);
  const atom = expression instanceof FhirPathAtom ? expression : new FhirPathAtom(expression.toString(), expression);
  try {
    return evalFhirPathTyped(atom, [input], { '%resource': input, '%rootResource': input });
  } catch (err) {
    throw new InapplicableOperation(`the path could not be evaluated: ${(err as Error).message}`);
  }
}

export function exactlyOne(selected: TypedValue[], purpose: string): TypedValue {
  if (selected.length !== 1) {
    const matched = selected.length === 0 ? 'matches nothing' : `matches ${selected.length} elements`;
    throw new InapplicableOperation(`the path ${matched}; ${purpose} needs exactly one element`);
  }
  return selected[0];
}

/** The slot of a value that `expression` selected, or undefined when it is the resource itself. */
export function locate(root: JsonObject, selected: TypedValue, expression: Atom): ElementSlot | undefined {
  if (selected.value === root) {
    return undefined;
  }
  const path = (selected as { path?: unknown }).path;
  // Only a path from the resource type is complete: after some functions (extension('url'), %resource) the
  // evaluator reports a path relative to a value whose own path it dropped ('value' for Observation.extension('u').value).
  if (typeof path === 'string' && path.split(/[.[]/, 1)[0] === root.resourceType) {
    const slot = tryLocate(root, path);
    if (slot && slotHolds(slot, selected.value)) {
      return slot;
    }
  }
  // A complex value is the resource's own object, so it can be found by identity.
  if (isJsonObject(selected.value)) {
    const found = pathToObject(root, selected.value, root.resourceType as string);
    const slot = found === undefined ? undefined : tryLocate(root, found);
    if (slot && slotHolds(slot, selected.value)) {
      return slot;
    }
  }
  // A primitive is a copy; when the path ends in '.name' its container can be found and the value looked up in it.
  const inContainer = locateInContainer(root, selected, expression);
  if (inContainer) {
    return inContainer;
  }
  throw new InapplicableOperation(
    typeof path === 'string'
      ? `the element at '${path}' could not be found in the resource`
      : 'the path selects a value that the expression computes, not an element of the resource'
  );
}

function tryLocate(root: JsonObject, path: string): ElementSlot | undefined {
  try {
    return locateElement(root, path);
  } catch (err) {
    if (err instanceof InapplicableOperation) {
      return undefined;
    }
    throw err;
  }
}

/** The path ('Patient.name[0].given[1].extension[0]') of the object `target` inside `value`, found by identity. */
function pathToObject(value: unknown, target: JsonObject, path: string): string | undefined {
  if (value === target) {
    return path;
  }
  if (!isJsonObject(value)) {
    return undefined;
  }
  for (const [key, child] of Object.entries(value)) {
    // `_name` holds the id and extensions of the primitive `name`; a path reaches them as name.extension.
    const step = key.startsWith('_') ? key.slice(1) : key;
    const items = Array.isArray(child) ? child : [child];
    for (const [i, item] of items.entries()) {
      const found = pathToObject(item, target, `${path}.${step}${Array.isArray(child) ? `[${i}]` : ''}`);
      if (found !== undefined) {
        return found;
      }
    }
  }
  return undefined;
}

/**
 * For a path ending in '.name' whose value came without a usable path: the one slot `name` in the containers the
 * rest of the path selects that holds the value. Containers are complex, so they are found by identity.
 */
function locateInContainer(root: JsonObject, selected: TypedValue, expression: Atom): ElementSlot | undefined {
  const step = expression instanceof FhirPathAtom ? expression.child : expression;
  if (!(step instanceof DotAtom) || !(step.right instanceof SymbolAtom)) {
    return undefined;
  }
  const matches: ElementSlot[] = [];
  for (const container of select(root, step.left)) {
    if (!isJsonObject(container.value)) {
      continue;
    }
    const base = pathToObject(root, container.value, root.resourceType as string);
    for (const slot of base === undefined ? [] : slotsAt(root, `${base}.${step.right.name}`)) {
      if (slotHolds(slot, selected.value)) {
        matches.push(slot);
      }
    }
  }
  if (matches.length > 1) {
    throw new InapplicableOperation(
      `the value it selects occurs ${matches.length} times there, so which element is meant is unclear`
    );
  }
  return matches[0];
}

/** The slot at `path`, or the slot of each item when the element there repeats. */
function slotsAt(root: JsonObject, path: string): ElementSlot[] {
  const single = tryLocate(root, path);
  if (single) {
    return [single];
  }
  const items: ElementSlot[] = [];
  for (let item = tryLocate(root, `${path}[0]`); item; item = tryLocate(root, `${path}[${items.length}]`)) {
    items.push(item);
  }
  return items;
}

export interface ListTarget {
  holder: JsonObject;
  key: string;
  length: number;
  itemType?: string;
}

/**
 * The list `expression` selects: all the items of one repeating element, in order. A list that is absent (FHIR JSON
 * has no empty arrays) selects nothing; when the path ends in a plain element name ('Patient.identifier'), the
 * element it would be in is looked up instead, so that insert at 0 can start the list.
 */
export function findList(root: JsonObject, expression: FhirPathAtom): ListTarget {
  const selected = select(root, expression);
  if (selected.length === 0) {
    return absentList(root, expression);
  }
  const slots = selected.map((value) => locate(root, value, expression));
  const first = slots[0];
  if (!first || first.index === undefined) {
    throw new InapplicableOperation('the path does not select a list (a repeating element)');
  }
  const length = listLength(first.holder, first.key);
  const isWholeList =
    slots.length === length && slots.every((s, i) => s?.holder === first.holder && s.key === first.key && s.index === i);
  if (!isWholeList) {
    throw new InapplicableOperation(`the path selects ${selected.length} elements that are not one whole list`);
  }
  return { holder: first.holder, key: first.key, length, itemType: first.type };
}

function absentList(root: JsonObject, expression: FhirPathAtom): ListTarget {
  const step = expression.child;
  if (!(step instanceof DotAtom) || !(step.right instanceof SymbolAtom)) {
    throw new InapplicableOperation('the path matches nothing; it must select a list');
  }
  const name = step.right.name;
  const container = exactlyOne(select(root, step.left), 'a list that does not exist yet');
  const slot = locate(root, container, step.left);
  const type = slot ? slot.type : (root.resourceType as string);
  const facts = elementFacts(type, name);
  if (!facts?.repeats || facts.isChoice) {
    throw new InapplicableOperation(
      `the path matches nothing, and '${name}' is not a repeating element of ${type ?? 'its parent'}`
    );
  }
  const current = slot ? readSlot(slot) : root;
  let holder: JsonObject;
  if (isJsonObject(current)) {
    holder = current;
  } else if (slot && name === 'extension') {
    // A primitive keeps its extensions in its `_name` sibling (https://hl7.org/fhir/R4/json.html#primitive).
    holder = elementPartFor(slot);
  } else {
    throw new InapplicableOperation(`the element is a primitive and has no '${name}'`);
  }
  return { holder, key: name, length: 0, itemType: facts.types[0] };
}
