// The $expand `filter` parameter (https://hl7.org/fhir/R4/valueset-operation-expand.html): how a text
// typed by a user matches displays and designations in Chinese and English.
// - Text is folded once: compatibility forms unified (full-width '（Ａ１' -> '(a1'), accents removed,
//   lower case.
// - The filter is split on white space; every term must match one of a concept's texts.
// - A term with Chinese (or other CJK) characters matches anywhere: Chinese has no word boundaries, so
//   '糖尿病' must find '2型糖尿病'. Any other term matches at the start of a word ('hyperten' finds
//   'Essential (primary) hypertension', 'tension' does not).

const cjk = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const letterOrDigit = /[\p{L}\p{N}]/u;

/** Text folded for matching; computed once per concept and once per filter. */
export function foldText(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

interface FilterTerm {
  text: string;
  anywhere: boolean;
}

export interface TextFilter {
  readonly terms: readonly FilterTerm[];
}

export function compileTextFilter(filter: string): TextFilter {
  const terms = foldText(filter)
    .split(/\s+/)
    .filter((t) => t !== '')
    .map((text) => ({ text, anywhere: cjk.test(text) }));
  return { terms };
}

/** Whether every term of the filter matches one of the (folded) texts. */
export function matchesTextFilter(filter: TextFilter, foldedTexts: readonly string[]): boolean {
  return filter.terms.every((term) => foldedTexts.some((text) => termMatches(term, text)));
}

function termMatches(term: FilterTerm, text: string): boolean {
  let at = text.indexOf(term.text);
  if (term.anywhere) {
    return at >= 0;
  }
  while (at >= 0) {
    if (at === 0 || !isWordCharacter(text[at - 1])) {
      return true;
    }
    at = text.indexOf(term.text, at + 1);
  }
  return false;
}

/** Letters and digits continue a word; a CJK character does not ('血红蛋白A1c' has the word 'a1c'). */
function isWordCharacter(c: string): boolean {
  return letterOrDigit.test(c) && !cjk.test(c);
}
