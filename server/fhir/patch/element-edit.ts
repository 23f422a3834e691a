// Edits one element of a resource's JSON, keeping a primitive's `_name` sibling in step and leaving no empty arrays
// or objects behind (https://hl7.org/fhir/R4/json.html#primitive).
import { isJsonObject, readSlot, type ElementSlot, type JsonObject } from './element-location';
import { InapplicableOperation } from './patch-errors';

/** A value to put into a resource: its JSON and, for a primitive, the `_name` object with its id and extensions. */
export interface ElementValue {
  json: unknown;
  elementPart?: JsonObject;
}

/** Replaces the element at `slot`, its id and extensions included. */
export function writeSlot(slot: ElementSlot, value: ElementValue): void {
  if (slot.index === undefined) {
    setSingle(slot.holder, slot.key, value);
    return;
  }
  const lists = readLists(slot.holder, slot.key);
  lists.values[slot.index] = value.json;
  if (value.elementPart) {
    lists.parts ??= lists.values.map(() => null);
    lists.parts[slot.index] = value.elementPart;
  } else if (lists.parts) {
    lists.parts[slot.index] = null;
  }
  storeLists(slot.holder, slot.key, lists);
}

/** Sets a non-repeating element. */
export function setSingle(holder: JsonObject, key: string, value: ElementValue): void {
  holder[key] = value.json;
  if (value.elementPart) {
    holder['_' + key] = value.elementPart;
  } else {
    delete holder['_' + key];
  }
}

/** Removes the element at `slot`; a list left empty goes, and so does an id-and-extensions object left empty. */
export function removeSlot(slot: ElementSlot): void {
  if (slot.index === undefined) {
    delete slot.holder[slot.key];
    delete slot.holder['_' + slot.key];
  } else {
    const lists = readLists(slot.holder, slot.key);
    lists.values.splice(slot.index, 1);
    lists.parts?.splice(slot.index, 1);
    storeLists(slot.holder, slot.key, lists);
  }
  if (slot.owner && Object.keys(slot.holder).length === 0) {
    removeElementPart(slot.owner);
  }
}

/** Drops the empty `_name` object of the primitive at `owner`; a primitive that had only that object goes with it. */
function removeElementPart(owner: ElementSlot): void {
  const value = readSlot(owner);
  if (value === undefined || value === null) {
    removeSlot(owner);
  } else if (owner.index === undefined) {
    delete owner.holder['_' + owner.key];
  } else {
    writeSlot(owner, { json: value });
  }
}

/** Inserts an item into the list at holder[key] (created when absent) before `index`; index = length appends. */
export function insertItem(holder: JsonObject, key: string, index: number, value: ElementValue): void {
  const lists = readLists(holder, key);
  lists.values.splice(index, 0, value.json);
  if (value.elementPart && !lists.parts) {
    lists.parts = lists.values.map(() => null);
    lists.parts[index] = value.elementPart;
  } else {
    lists.parts?.splice(index, 0, value.elementPart ?? null);
  }
  storeLists(holder, key, lists);
}

/** Moves the item at `from` in the list at holder[key] so that it ends up at `to`. */
export function moveItem(holder: JsonObject, key: string, from: number, to: number): void {
  const lists = readLists(holder, key);
  for (const list of [lists.values, lists.parts]) {
    if (list) {
      const [item] = list.splice(from, 1);
      list.splice(to, 0, item);
    }
  }
  storeLists(holder, key, lists);
}

/** The `_name` object of the primitive at `slot`, created when absent, to add an id or an extension to. */
export function elementPartFor(slot: ElementSlot): JsonObject {
  if (slot.index === undefined) {
    const existing = slot.holder['_' + slot.key];
    if (isJsonObject(existing)) {
      return existing;
    }
    const part: JsonObject = {};
    slot.holder['_' + slot.key] = part;
    return part;
  }
  const lists = readLists(slot.holder, slot.key);
  lists.parts ??= lists.values.map(() => null);
  const existing = lists.parts[slot.index];
  const part = isJsonObject(existing) ? existing : {};
  lists.parts[slot.index] = part;
  storeLists(slot.holder, slot.key, lists);
  return part;
}

/** The number of items in the list at holder[key], counting primitives that have only extensions. */
export function listLength(holder: JsonObject, key: string): number {
  return readLists(holder, key).values.length;
}

interface Lists {
  values: unknown[];
  parts?: unknown[];
}

/** holder[key] and holder['_' + key] as two arrays of the same length (null where an item has no value or no part). */
function readLists(holder: JsonObject, key: string): Lists {
  if (holder[key] !== undefined && !Array.isArray(holder[key])) {
    // Stored JSON that breaks the definitions (a single value where a list belongs) is not ours to repair silently.
    throw new InapplicableOperation(`'${key}' repeats, but the resource holds a single value there`);
  }
  const values = Array.isArray(holder[key]) ? [...(holder[key] as unknown[])] : [];
  const parts = Array.isArray(holder['_' + key]) ? [...(holder['_' + key] as unknown[])] : undefined;
  const length = Math.max(values.length, parts?.length ?? 0);
  while (values.length < length) {
    values.push(null);
  }
  while (parts && parts.length < length) {
    parts.push(null);
  }
  return { values, parts };
}

function storeLists(holder: JsonObject, key: string, { values, parts }: Lists): void {
  const isAbsent = (item: unknown): boolean => item === null || item === undefined;
  if (values.every(isAbsent)) {
    delete holder[key];
  } else {
    holder[key] = values;
  }
  if (!parts || parts.every(isAbsent)) {
    delete holder['_' + key];
  } else {
    holder['_' + key] = parts;
  }
}
