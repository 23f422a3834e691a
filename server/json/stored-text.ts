// The JSON text a stored resource was read from, kept beside the parsed resource, so that a response
// returning the resource as read (a read by id, a search page without _summary or _elements) sends that
// text instead of serializing the object again: the text is what serializing it would give, since the
// store wrote it with stringifyKeepingNumbers (docs/performance.md, "Per-request CPU").
import type { Bundle, Resource } from '@medplum/fhirtypes';
import { lazyResource } from './lazy-resource';
import { parseJsonKeepingNumbers, stringifyKeepingNumbers } from './number-text';

/**
 * Resource -> the text it was parsed from. Weak: the text lives as long as its resource. A resource read
 * from the store is never changed in place (a write builds the new version from a copy), so the text
 * stays its serialization.
 */
const storedTexts = new WeakMap<object, string>();

/**
 * Parses a resource's stored JSON text, remembering the text for the response. `numbersToKeep`, when the
 * reader already knows it (hasUnprintableNumbers of the text, or false for a text JSON.stringify wrote),
 * saves looking for numbers that print differently (parseJsonKeepingNumbers).
 */
export function parseStoredResource(text: string, numbersToKeep?: boolean): Resource {
  const resource = parseJsonKeepingNumbers(text, numbersToKeep) as Resource;
  storedTexts.set(resource, text);
  return resource;
}

/**
 * As parseStoredResource, but parsed on first use (lazy-resource.ts): for the versions of a page, which
 * are mostly written back as their text. `resourceType` and `id` are the version's.
 */
export function lazyStoredResource(text: string, resourceType: string, id: string): Resource {
  const resource = lazyResource(text, resourceType, id);
  storedTexts.set(resource, text);
  return resource;
}

/** The stored text of a resource as read from the store; undefined for any other object (a subset copy). */
export function storedTextOf(resource: object | undefined): string | undefined {
  return resource ? storedTexts.get(resource) : undefined;
}

/**
 * The Bundle as compact JSON with each entry's resource written as its stored text, or undefined when
 * no entry holds a stored resource (serializing the Bundle as usual costs the same then). Written as
 * JSON.stringify writes a plain object (JSON.rawJSON takes primitives only), so the bytes are the same.
 */
export function serializeWithStoredTexts(bundle: Bundle): string | undefined {
  const entries = bundle.entry ?? [];
  if (!entries.some((e) => e.resource && storedTexts.has(e.resource))) {
    return undefined;
  }
  let entryJson = '';
  for (const entry of entries) {
    const text = entry.resource ? storedTexts.get(entry.resource) : undefined;
    entryJson += `${entryJson ? ',' : '['}${text === undefined ? stringifyKeepingNumbers(entry) : objectJson(entry, 'resource', text)}`;
  }
  return objectJson(bundle, 'entry', `${entryJson}]`);
}

/** Keys as JSON writes them, for the few a Bundle and its entries have. */
const keyTexts = new Map<string, string>();

/**
 * A plain object as compact JSON, with the member `writtenKey` given already written: each member as
 * JSON.stringify writes it (own keys in order, undefined members left out), in one pass over the keys.
 */
function objectJson(value: object, writtenKey: string, written: string): string {
  const members = value as Record<string, unknown>;
  let json = '';
  for (const key of Object.keys(members)) {
    const member = members[key];
    if (member === undefined) {
      continue;
    }
    let keyText = keyTexts.get(key);
    if (keyText === undefined) {
      keyText = JSON.stringify(key);
      if (keyTexts.size < 64) {
        keyTexts.set(key, keyText);
      }
    }
    const memberText = key === writtenKey ? written : typeof member === 'string' ? JSON.stringify(member) : stringifyKeepingNumbers(member);
    json += `${json ? ',' : '{'}${keyText}:${memberText}`;
  }
  return json ? `${json}}` : '{}';
}
