// Reads a request body as JSON exactly as sent, or refuses it (RFC 8259; https://hl7.org/fhir/R4/json.html):
// UTF-8 only (a byte-order mark is skipped, invalid bytes are refused rather than replaced), no duplicate
// keys (JSON.parse would keep the last silently), no number beyond the double range (JSON.parse makes
// it Infinity, stored as null), nesting no deeper than the limit (deeper input would overflow the stack
// of the recursive code that walks resources). Numbers keep their written text (server/json/number-text.ts).
import { badRequest } from '../outcomes';
import { parseJsonKeepingNumbers, printsAsWritten } from '../json/number-text';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The body's text: UTF-8 without its byte-order mark (TextDecoder drops it). */
export function decodeUtf8(body: Buffer): string {
  try {
    return utf8.decode(body);
  } catch {
    throw badRequest('The request body is not valid UTF-8');
  }
}

/** Parses a JSON body, refusing what JSON.parse would silently change. */
export function parseJsonBody(text: string, maxDepth: number): unknown {
  const { keepNumbers } = checkJsonText(text, maxDepth);
  try {
    return parseJsonKeepingNumbers(text, keepNumbers);
  } catch (err) {
    throw badRequest(`The request body is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * Walks the text once, checking keys, numbers and depth. Text that is not JSON stops the walk quietly:
 * JSON.parse then reports where. Returns whether some number must keep its written text.
 */
function checkJsonText(text: string, maxDepth: number): { keepNumbers: boolean } {
  // Per open container: the keys seen so far (an object) or null (an array).
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  let keepNumbers = false;
  const length = text.length;
  let i = 0;
  while (i < length) {
    const c = text.charCodeAt(i);
    if (c === quote) {
      const end = closingQuote(text, i);
      if (end < 0) {
        break;
      }
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const raw = text.slice(i + 1, end);
        const key = raw.includes('\\') ? (JSON.parse(text.slice(i, end + 1)) as string) : raw;
        if (keys.has(key)) {
          throw badRequest(`The request body has the key '${key}' twice in one object; JSON keys must be unique`);
        }
        keys.add(key);
      }
      expectingKey = false;
      i = end + 1;
    } else if (c === minus || (c >= digit0 && c <= digit9)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) {
        end++;
      }
      const literal = text.slice(i, end);
      if (!Number.isFinite(Number(literal))) {
        throw badRequest(`The number ${literal.slice(0, 40)} in the request body is out of range`);
      }
      keepNumbers ||= !printsAsWritten(literal);
      i = end;
    } else {
      if (c === openBrace || c === openBracket) {
        open.push(c === openBrace ? new Set() : null);
        if (open.length > maxDepth) {
          throw badRequest(`The request body nests deeper than the limit of ${maxDepth} levels (FHIR_MAX_JSON_DEPTH)`);
        }
        expectingKey = c === openBrace;
      } else if (c === closeBrace || c === closeBracket) {
        open.pop();
        expectingKey = false;
      } else if (c === comma) {
        expectingKey = open[open.length - 1] instanceof Set;
      }
      i++;
    }
  }
  return { keepNumbers };
}

const [quote, backslash, minus, digit0, digit9, openBrace, closeBrace, openBracket, closeBracket, comma] = [
  '"', '\\', '-', '0', '9', '{', '}', '[', ']', ',',
].map((ch) => ch.charCodeAt(0));

/** The index of the quote that ends the string opening at `start` (one not escaped), or -1. */
function closingQuote(text: string, start: number): number {
  let end = text.indexOf('"', start + 1);
  while (end > 0) {
    let backslashes = 0;
    while (text.charCodeAt(end - 1 - backslashes) === backslash) {
      backslashes++;
    }
    if (backslashes % 2 === 0) {
      return end;
    }
    end = text.indexOf('"', end + 1);
  }
  return -1;
}

/** Digits, '.', 'e', 'E', '+', '-': what a JSON number is written with. */
function isNumberChar(c: number): boolean {
  return (c >= digit0 && c <= digit9) || c === 46 || c === 101 || c === 69 || c === 43 || c === minus;
}
