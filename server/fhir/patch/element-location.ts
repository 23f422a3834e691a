// Turns the path @medplum/core reports with each FHIRPath result ('Patient.name[0].given[1]') into a JSON location,
// resolving choice keys and the `_name` objects of primitives (https://hl7.org/fhir/R4/json.html#primitive).
import { elementFacts, choiceKey } from './element-schema';
import { InapplicableOperation } from './patch-errors';

export type JsonObject = Record<string, unknown>;

/** Where one element lives: holder[key], or holder[key][index] for an item of a repeating element. */
export interface ElementSlot {
  holder: JsonObject;
  key: string;
  index?: number;
  /** The element's FHIR type, when the definitions say ('HumanName', 'date', 'PatientContact'). */
  type?: string;
  /** For a choice element: its name without [x] and the types it allows, so that a replace can change the key. */
  choice?: { name: string; types: string[] };
  /** Set when holder is the `_name` object of a primitive: the primitive's own slot. */
  owner?: ElementSlot;
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readSlot(slot: ElementSlot): unknown {
  const value = slot.holder[slot.key];
  if (slot.index === undefined) {
    return value;
  }
  return Array.isArray(value) ? value[slot.index] : undefined;
}

/** The `_name` object with the id and extensions of the primitive at `slot`, if it has one. */
export function readElementPart(slot: ElementSlot): JsonObject | undefined {
  const part = slot.holder['_' + slot.key];
  const item = slot.index === undefined ? part : Array.isArray(part) ? part[slot.index] : undefined;
  return isJsonObject(item) ? item : undefined;
}

interface PathStep {
  name: string;
  index?: number;
}

/**
 * The slot of the element at `path` (a path as the evaluator reports it), or undefined when the path is the
 * resource itself. Throws InapplicableOperation when the path does not lead to an element of `root`.
 */
export function locateElement(root: JsonObject, path: string): ElementSlot | undefined {
  const steps = parsePath(path);
  // The evaluator starts paths at the resource type ('Patient.name[0]'), except from %resource ('name[0]').
  if (steps.length > 0 && steps[0].name === root.resourceType && steps[0].index === undefined) {
    steps.shift();
  }
  let slot: ElementSlot | undefined;
  let value: unknown = root;
  let type = typeof root.resourceType === 'string' ? root.resourceType : undefined;
  for (const step of steps) {
    slot = stepInto(slot, value, type, step, path);
    value = readSlot(slot);
    // A contained resource (or Bundle.entry.resource) is defined as Resource; what it holds depends on its type.
    if (slot.type === 'Resource' && isJsonObject(value) && typeof value.resourceType === 'string') {
      slot.type = value.resourceType;
    }
    type = slot.type;
  }
  return slot;
}

function stepInto(
  parent: ElementSlot | undefined,
  value: unknown,
  type: string | undefined,
  step: PathStep,
  path: string
): ElementSlot {
  let holder: JsonObject | undefined;
  let owner: ElementSlot | undefined;
  if (isJsonObject(value)) {
    holder = value;
  } else if (parent && (step.name === 'id' || step.name === 'extension')) {
    // A primitive's id and extensions are not in the value but in its `_name` sibling.
    holder = readElementPart(parent);
    owner = parent;
  }
  if (!holder) {
    throw new InapplicableOperation(`'${path}' does not lead to an element of the resource`);
  }
  const found = findKey(holder, type, step.name);
  if (!found) {
    throw new InapplicableOperation(`'${path}' does not lead to an element of the resource (no '${step.name}')`);
  }
  const values = holder[found.key];
  const parts = holder['_' + found.key];
  const isList = Array.isArray(values) || Array.isArray(parts);
  const length = Math.max(Array.isArray(values) ? values.length : 0, Array.isArray(parts) ? parts.length : 0);
  // The evaluator indexes every item of a repeating element and never a single one.
  if (isList !== (step.index !== undefined) || (step.index !== undefined && step.index >= length)) {
    throw new InapplicableOperation(`'${path}' does not match the shape of the resource at '${step.name}'`);
  }
  return { holder, key: found.key, index: step.index, type: found.type, choice: found.choice, owner };
}

/** The JSON key under which `name` of `type` is present in `holder`, with the type of what it holds. */
function findKey(
  holder: JsonObject,
  type: string | undefined,
  name: string
): { key: string; type?: string; choice?: ElementSlot['choice'] } | undefined {
  const facts = elementFacts(type, name);
  const present = (key: string): boolean => Object.hasOwn(holder, key) || Object.hasOwn(holder, '_' + key);
  if (facts?.isChoice) {
    const choice = { name: facts.name, types: facts.types };
    for (const code of facts.types) {
      const key = choiceKey(facts.name, code);
      // A path may name the typed key itself ('Observation.valueQuantity'); then only that key will do.
      if ((name === facts.name || name === key) && present(key)) {
        return { key, type: code, choice };
      }
    }
    return undefined;
  }
  return present(name) ? { key: name, type: facts?.types[0] } : undefined;
}

function parsePath(path: string): PathStep[] {
  return path.split('.').map((text) => {
    const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:\[(\d+)\])?$/.exec(text);
    if (!match) {
      throw new InapplicableOperation(`'${path}' does not lead to an element of the resource`);
    }
    return match[2] === undefined ? { name: match[1] } : { name: match[1], index: Number(match[2]) };
  });
}

/**
 * Whether `slot` holds the value the evaluator returned. A guard against modifying the wrong place: complex values
 * are the resource's own objects; a primitive that has only extensions comes back as a copy of its `_name` object.
 */
export function slotHolds(slot: ElementSlot, value: unknown): boolean {
  const found = readSlot(slot);
  if (found === value) {
    return true;
  }
  return (found === undefined || found === null) && isJsonObject(value) && readElementPart(slot) !== undefined;
}
