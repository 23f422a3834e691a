// The JSON text a stored resource was read from, kept beside the parsed resource, so that a response
// returning the resource as read (a read by id, a search page without _summary or _elements) sends that
// text instead of serializing the object again: the text is what serializing it would give, since the
// store wrote it with stringifyKeepingNumbers (docs/performance.md, "Per-request CPU").
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
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
export function lazyStoredResource(text: string, resourceType: string, id: string, numbersToKeep?: boolean): Resource {
  const resource = lazyResource(text, resourceType, id, numbersToKeep);
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
  const entryJson = (entry: BundleEntry): string => {
    const text = entry.resource ? storedTexts.get(entry.resource) : undefined;
    return text === undefined ? stringifyKeepingNumbers(entry) : objectJson(entry, (key) => (key === 'resource' ? text : undefined));
  };
  return objectJson(bundle, (key) => (key === 'entry' ? `[${entries.map(entryJson).join(',')}]` : undefined));
}

/** A plain object as compact JSON, with the members `written` gives already written. */
function objectJson(value: object, written: (key: string) => string | undefined): string {
  const members: string[] = [];
  for (const [key, member] of Object.entries(value)) {
    if (member !== undefined) {
      members.push(`${JSON.stringify(key)}:${written(key) ?? stringifyKeepingNumbers(member)}`);
    }
  }
  return `{${members.join(',')}}`;
}
