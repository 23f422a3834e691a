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
 *
 * The text comes in parts, in order (joined, they are the text): the Bundle's members before its entries,
 * each entry, and the rest. Joined, a page is one string of up to hundreds of KB, two bytes a character
 * once any resource holds Chinese text, and encoding such a joined string as UTF-8 made V8 flatten it into
 * one large object first: 1.3 ms for a page of 50 entries with Chinese text (129 KB), against 0.16-0.18 ms
 * for its parts encoded one by one (render.ts; docs/performance.md, "A page written in parts").
 */
export function serializeWithStoredTexts(bundle: Bundle): string[] | undefined {
  const entries = bundle.entry ?? [];
  if (!entries.some((e) => e.resource && storedTexts.has(e.resource))) {
    return undefined;
  }
  const [head, tail] = objectJson(bundle, 'entry', entriesMark).split(entriesMark);
  const parts = [head];
  for (const entry of entries) {
    const text = entry.resource ? storedTexts.get(entry.resource) : undefined;
    parts.push(`${parts.length > 1 ? ',' : '['}${text === undefined ? stringifyKeepingNumbers(entry) : objectJson(entry, 'resource', text)}`);
  }
  parts.push(`]${tail}`);
  return parts;
}

/**
 * Where the entries go in the Bundle's text: JSON.stringify writes U+0000 inside a string as `\u0000`,
 * never raw, so the mark cannot occur in the rest of the text.
 */
const entriesMark = '\u0000entries\u0000';

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
