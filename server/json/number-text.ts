// JSON that keeps how its numbers were written. FHIR decimals carry their precision (1.50 is not 1.5,
// https://hl7.org/fhir/R4/datatypes.html#decimal), but JavaScript numbers do not. Parsed values stay
// plain numbers for every consumer (validation, FHIRPath, indexing); the written text of a number that
// would not print back the same is kept beside it, on its holder under a symbol that JSON, Object.keys
// and for...in never see, and serialization writes that text back while the number is unchanged.

/** On an object or array: property key -> the number's text as written, for numbers that print differently. */
const numberTexts = Symbol('numberTexts');
/**
 * On every object or array that holds such a text at any depth (the root of a document, and each of its
 * parts that does, so that a resource taken out of a Bundle keeps the mark): serialization must look for them.
 */
const holdsNumberTexts = Symbol('holdsNumberTexts');

type Holder = Record<string | symbol, unknown>;

// JSON.rawJSON and the reviver's source text (TC39 "JSON.parse source text access", in V8 since 11.4)
// are not yet in TypeScript's lib.
interface JsonWithSource {
  rawJSON(text: string): unknown;
  parse(text: string, reviver: (this: Holder, key: string, value: unknown, context: { source?: string }) => unknown): unknown;
}
const json = JSON as unknown as JsonWithSource;

/**
 * The only literals that may print back differently, ending a JSON number: a fraction ending in 0, an
 * exponent, 16 or more digits (doubles hold 15 exactly), -0, or a fraction below 1e-6 (printed as 1e-7).
 * Any literal outside these prints as written; text inside strings may match too, which is harmless.
 * Written as the character that ends the number, looked behind from: the engine then tries only at a
 * ',', '}' or ']' instead of at every digit, twice as fast on a Patient's text full of dates and ids.
 */
const mayPrintDifferently = /(?<=(?:\d\.\d*0|\d[eE][-+]?\d+|\d[\d.]{15,}|-0|0\.0{5}\d*)\s*)[,}\]]/;
/** A number literal in JSON text, after the punctuation before it. */
const numberLiteral = /[:[,]\s*(-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*(?=[,}\]])/g;

/** Whether some number literal in `text` would not print back as written (false positives are harmless). */
export function hasUnprintableNumbers(text: string): boolean {
  if (!mayPrintDifferently.test(text)) {
    return false;
  }
  numberLiteral.lastIndex = 0;
  for (let match = numberLiteral.exec(text); match; match = numberLiteral.exec(text)) {
    if (!printsAsWritten(match[1])) {
      return true;
    }
  }
  return false;
}

/** Whether the number written as `literal` prints back (String(value)) as the same text. */
export function printsAsWritten(literal: string): boolean {
  return String(Number(literal)) === literal;
}

/**
 * Parses JSON text (already known to be well-formed JSON or to be refused by JSON.parse), keeping the
 * written text of numbers that would print differently. `numbersToKeep` false skips the work when the
 * caller knows there are none.
 */
export function parseJsonKeepingNumbers(text: string, numbersToKeep = hasUnprintableNumbers(text)): unknown {
  if (!numbersToKeep) {
    return JSON.parse(text);
  }
  // The reviver sees each value after everything inside it, so a holder is marked once its texts and
  // its parts' marks are known.
  return json.parse(text, function (key, value, context) {
    if (typeof value === 'number' && context.source !== undefined && !printsAsWritten(context.source)) {
      const texts = (this[numberTexts] as Map<string, string> | undefined) ?? new Map<string, string>();
      texts.set(key, context.source);
      this[numberTexts] = texts;
    } else if (typeof value === 'object' && value !== null) {
      const holder = value as Holder;
      if (holder[numberTexts] || Object.values(holder).some(holdsKeptNumbers)) {
        holder[holdsNumberTexts] = true;
      }
    }
    return value;
  });
}

/** Whether `value` came from parseJsonKeepingNumbers with a number text kept (spread copies keep the mark). */
export function holdsKeptNumbers(value: unknown): boolean {
  return typeof value === 'object' && value !== null && (value as Holder)[holdsNumberTexts] === true;
}

/** Gives `copy` (a shallow copy of `source`, perhaps with fewer keys) the kept number texts of `source`. */
export function withNumberTextsOf<T extends object>(source: object, copy: T): T {
  const from = source as Holder;
  const to = copy as Holder;
  if (from[numberTexts]) {
    to[numberTexts] = new Map(from[numberTexts] as Map<string, string>);
  }
  if (from[holdsNumberTexts]) {
    to[holdsNumberTexts] = true;
  }
  return copy;
}

/** A deep copy of JSON data (as structuredClone) that keeps the texts of its numbers. */
export function cloneKeepingNumbers<T>(value: T): T {
  if (typeof value !== 'object' || value === null) {
    return value;
  }
  const source = value as unknown as Holder;
  const copy = (Array.isArray(value) ? [] : {}) as Holder;
  for (const key of Object.keys(source)) {
    copy[key] = cloneKeepingNumbers(source[key]);
  }
  return withNumberTextsOf(source, copy) as unknown as T;
}

/** Writes the kept text of a number back when its value is still the one parsed. */
function writeKeptNumbers(this: Holder, key: string, value: unknown): unknown {
  if (typeof value === 'number') {
    const text = (this[numberTexts] as Map<string, string> | undefined)?.get(key);
    if (text !== undefined && Number(text) === value) {
      return json.rawJSON(text);
    }
  }
  return value;
}

/**
 * JSON.stringify that writes kept number texts back. They are looked for (the slower path) only when the
 * value, or one of its entries' resources (a Bundle built around stored resources), is marked as holding some.
 */
export function stringifyKeepingNumbers(value: unknown, space?: number): string {
  return mayHoldKeptNumbers(value) ? JSON.stringify(value, writeKeptNumbers, space) : JSON.stringify(value, null, space);
}

function mayHoldKeptNumbers(value: unknown): boolean {
  if (holdsKeptNumbers(value)) {
    return true;
  }
  const entries = (value as { entry?: unknown } | null)?.entry;
  return Array.isArray(entries) && entries.some((e: { resource?: unknown } | null) => holdsKeptNumbers(e?.resource));
}
