// The one normalisation of string search values, applied to indexed values and to query values alike, so
// that name=jose finds "José". https://hl7.org/fhir/R4/search.html#string

/**
 * Combining diacritical marks (Latin, Greek, Cyrillic accents) that NFD splits off. Only these blocks are
 * removed: Japanese voicing marks (U+3099) and other scripts' marks change the letter, not its accent.
 */
const combiningAccents = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/g;
/** Text that NFD leaves as it is and that has no accents: ASCII, CJK punctuation, kana and ideographs. */
const needsNoDecomposition = /^[\x00-\x7f\u3000-\u9fff]*$/;
const whitespaceRun = /\s+/g;

/** Codes' displays and names repeat across resources: remember the latest few thousand. */
const cacheLimit = 5000;
const cache = new Map<string, string>();

/** Lower case, accents removed, whitespace collapsed and trimmed; Chinese and other scripts kept as they are. */
export function normalizeSearchString(input: string): string {
  let normalized = cache.get(input);
  if (normalized === undefined) {
    normalized = normalize(input);
    if (cache.size >= cacheLimit) {
      cache.clear();
    }
    cache.set(input, normalized);
  }
  return normalized;
}

function normalize(input: string): string {
  let value = input.toLowerCase();
  if (!needsNoDecomposition.test(value)) {
    // NFC afterwards recomposes what NFD split without being an accent (Hangul syllables, for one).
    value = value.normalize('NFD').replace(combiningAccents, '').normalize('NFC');
  }
  return value.replace(whitespaceRun, ' ').trim();
}
