// Which text to show for a concept in a requested language (the displayLanguage parameter of $expand,
// $lookup and $validate-code): a designation in that language, else the display
// (https://hl7.org/fhir/R4/codesystem-definitions.html#CodeSystem.concept.designation).
import type { Coding } from '@medplum/fhirtypes';

export interface Designation {
  language?: string;
  use?: Coding;
  value: string;
}

/** A concept's texts: its display (in the code system's language) and its designations. */
export interface ConceptTexts {
  display?: string;
  /** The language of `display`: the language of the code system (or of the ValueSet that gave it). */
  displayLanguage?: string;
  designations: readonly Designation[];
}

/** The display in `language` if the concept has one, else its display. Exact tags beat 'zh' for 'zh-CN'. */
export function displayIn(texts: ConceptTexts, language: string | undefined): string | undefined {
  if (!language) {
    return texts.display;
  }
  for (const level of ['exact', 'primary'] as const) {
    const designation = bestDesignation(texts.designations.filter((d) => languageMatch(d.language, language) === level));
    if (designation) {
      return designation.value;
    }
    if (texts.display !== undefined && languageMatch(texts.displayLanguage, language) === level) {
      return texts.display;
    }
  }
  return texts.display;
}

/** All texts that are a correct display of the concept, in any language. */
export function validDisplays(texts: ConceptTexts): string[] {
  return [...(texts.display === undefined ? [] : [texts.display]), ...texts.designations.map((d) => d.value)];
}

/** Displays compare without regard to case and runs of white space. */
export function sameDisplay(a: string, b: string): boolean {
  const normal = (s: string): string => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return normal(a) === normal(b);
}

function languageMatch(tag: string | undefined, wanted: string): 'exact' | 'primary' | undefined {
  if (!tag) {
    return undefined;
  }
  const a = tag.toLowerCase();
  const b = wanted.toLowerCase();
  if (a === b) {
    return 'exact';
  }
  return a.split('-')[0] === b.split('-')[0] ? 'primary' : undefined;
}

/** A designation meant as a display (no use, or use 'display') beats a synonym or a fully specified name. */
function bestDesignation(candidates: Designation[]): Designation | undefined {
  return candidates.find((d) => d.use === undefined || d.use.code === 'display') ?? candidates[0];
}
