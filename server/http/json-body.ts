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

// One token at a time: a string, a number, punctuation, or a literal. The string pattern is the unrolled
// loop form, so long strings do not make the regular expression backtrack.
const tokenPattern = /\s*(?:("[^"\\]*(?:\\.[^"\\]*)*")|(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)|([{}[\]:,])|true|false|null)/y;

/**
 * Walks the tokens, checking keys, numbers and depth. Text that is not JSON stops the walk quietly:
 * JSON.parse then reports where. Returns whether some number must keep its written text.
 */
function checkJsonText(text: string, maxDepth: number): { keepNumbers: boolean } {
  // Per open container: the keys seen so far (an object) or null (an array).
  const open: (Set<string> | null)[] = [];
  let expectingKey = false;
  let keepNumbers = false;
  tokenPattern.lastIndex = 0;
  while (tokenPattern.lastIndex < text.length) {
    const match = tokenPattern.exec(text);
    if (!match) {
      break;
    }
    const [, string, number, punctuation] = match;
    if (string !== undefined) {
      const keys = open[open.length - 1];
      if (expectingKey && keys) {
        const key = string.includes('\\') ? (JSON.parse(string) as string) : string.slice(1, -1);
        if (keys.has(key)) {
          throw badRequest(`The request body has the key '${key}' twice in one object; JSON keys must be unique`);
        }
        keys.add(key);
      }
      expectingKey = false;
    } else if (number !== undefined) {
      if (!Number.isFinite(Number(number))) {
        throw badRequest(`The number ${number.slice(0, 40)} in the request body is out of range`);
      }
      keepNumbers ||= !printsAsWritten(number);
    } else if (punctuation === '{' || punctuation === '[') {
      open.push(punctuation === '{' ? new Set() : null);
      if (open.length > maxDepth) {
        throw badRequest(`The request body nests deeper than the limit of ${maxDepth} levels (FHIR_MAX_JSON_DEPTH)`);
      }
      expectingKey = punctuation === '{';
    } else if (punctuation === '}' || punctuation === ']') {
      open.pop();
      expectingKey = false;
    } else if (punctuation === ',') {
      expectingKey = open[open.length - 1] instanceof Set;
    } else {
      expectingKey = false;
    }
  }
  return { keepNumbers };
}
