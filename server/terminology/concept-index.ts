// One CodeSystem indexed for the terminology operations: code -> concept, the hierarchy (nested concepts
// and the `parent`/`child` properties, https://hl7.org/fhir/R4/codesystem.html#hierarchy), status flags
// (https://hl7.org/fhir/R4/codesystem-concept-properties.html) and each concept's folded text for the
// $expand filter. Built once per CodeSystem version and cached by the engine.
import type {
  CodeSystem,
  CodeSystemConcept,
  CodeSystemConceptDesignation,
  CodeSystemConceptProperty,
} from '@medplum/fhirtypes';
import { foldText } from './text-match';

export interface IndexedConcept {
  readonly code: string;
  readonly display?: string;
  readonly definition?: string;
  readonly designations: readonly CodeSystemConceptDesignation[];
  readonly properties: readonly CodeSystemConceptProperty[];
  /** Codes of the direct parents and children (a concept may have several parents). */
  readonly parents: readonly string[];
  readonly children: readonly string[];
  /** notSelectable (or `abstract`): a grouping concept, not for use in data. */
  readonly abstract: boolean;
  /** `inactive` true, or `status` retired or inactive. */
  readonly inactive: boolean;
  /** Code, display and designation values, folded (see text-match.ts). */
  readonly searchTexts: readonly string[];
}

/** Properties every code system has, derived from the concept itself. */
export const builtInProperties = new Set(['concept', 'code', 'display', 'parent', 'child']);

export class CodeSystemIndex {
  readonly url: string;
  readonly version?: string;
  readonly name: string;
  readonly language?: string;
  readonly content: CodeSystem['content'];
  readonly caseSensitive: boolean;
  /** Every concept, in document order (depth first). */
  readonly concepts: readonly IndexedConcept[];
  /** Declared properties by code, with their type. */
  readonly propertyTypes: ReadonlyMap<string, string>;
  private readonly byCode = new Map<string, IndexedConcept>();
  private readonly byFoldedCode?: Map<string, IndexedConcept>;
  private readonly descendants = new Map<string, ReadonlySet<string>>();
  private readonly ancestors = new Map<string, ReadonlySet<string>>();

  constructor(codeSystem: CodeSystem) {
    this.url = codeSystem.url ?? '';
    this.version = codeSystem.version;
    this.name = codeSystem.title ?? codeSystem.name ?? this.url;
    this.language = codeSystem.language;
    this.content = codeSystem.content;
    this.caseSensitive = codeSystem.caseSensitive ?? true;
    this.propertyTypes = new Map((codeSystem.property ?? []).map((p) => [p.code, p.type]));
    this.concepts = this.indexConcepts(codeSystem.concept ?? []);
    if (!this.caseSensitive) {
      this.byFoldedCode = new Map(this.concepts.map((c) => [c.code.toLowerCase(), c]));
    }
  }

  get(code: string): IndexedConcept | undefined {
    return this.byCode.get(code) ?? this.byFoldedCode?.get(code.toLowerCase());
  }

  /** Codes below `code` in the hierarchy, transitively, without `code` itself. */
  descendantsOf(code: string): ReadonlySet<string> {
    return this.closure(code, this.descendants, (c) => c.children);
  }

  /** Codes above `code` in the hierarchy, transitively, without `code` itself. */
  ancestorsOf(code: string): ReadonlySet<string> {
    return this.closure(code, this.ancestors, (c) => c.parents);
  }

  /** Whether `code` is `ancestor` or below it. */
  isSelfOrDescendant(code: string, ancestor: string): boolean {
    const self = this.get(code)?.code;
    const other = this.get(ancestor)?.code;
    return self !== undefined && (self === other || (other !== undefined && this.ancestorsOf(self).has(other)));
  }

  /**
   * A concept's values of a property, as strings: declared properties (a Coding gives its code), and
   * the built-in ones (code, display, parent, child).
   */
  propertyValues(concept: IndexedConcept, property: string): string[] {
    switch (property) {
      case 'code':
      case 'concept':
        return [concept.code];
      case 'display':
        return concept.display === undefined ? [] : [concept.display];
      case 'parent':
        return [...concept.parents];
      case 'child':
        return [...concept.children];
    }
    const values: string[] = [];
    for (const p of concept.properties) {
      if (p.code === property) {
        const value = propertyValueText(p);
        if (value !== undefined) {
          values.push(value);
        }
      }
    }
    return values;
  }

  private indexConcepts(roots: CodeSystemConcept[]): IndexedConcept[] {
    const parents = new Map<string, Set<string>>();
    const children = new Map<string, Set<string>>();
    const link = (parent: string, child: string): void => {
      setOf(parents, child).add(parent);
      setOf(children, parent).add(child);
    };
    const flat: CodeSystemConcept[] = [];
    const walk = (concepts: CodeSystemConcept[], parent?: string): void => {
      for (const concept of concepts) {
        flat.push(concept);
        if (parent !== undefined) {
          link(parent, concept.code);
        }
        for (const p of concept.property ?? []) {
          if (p.code === 'parent' && p.valueCode) link(p.valueCode, concept.code);
          if (p.code === 'child' && p.valueCode) link(concept.code, p.valueCode);
        }
        walk(concept.concept ?? [], concept.code);
      }
    };
    walk(roots);
    const result: IndexedConcept[] = [];
    for (const concept of flat) {
      if (this.byCode.has(concept.code)) {
        continue;
      }
      const properties = concept.property ?? [];
      const designations = concept.designation ?? [];
      const flag = (code: string): boolean => properties.some((p) => p.code === code && p.valueBoolean === true);
      const status = properties.find((p) => p.code === 'status')?.valueCode;
      const indexed: IndexedConcept = {
        code: concept.code,
        display: concept.display,
        definition: concept.definition,
        designations,
        properties,
        parents: [...(parents.get(concept.code) ?? [])],
        children: [...(children.get(concept.code) ?? [])],
        abstract: flag('notSelectable') || flag('abstract'),
        inactive: flag('inactive') || status === 'retired' || status === 'inactive',
        searchTexts: searchTexts(concept.code, concept.display, designations),
      };
      this.byCode.set(concept.code, indexed);
      result.push(indexed);
    }
    return result;
  }

  private closure(
    code: string,
    cache: Map<string, ReadonlySet<string>>,
    next: (concept: IndexedConcept) => readonly string[]
  ): ReadonlySet<string> {
    const start = this.get(code);
    if (!start) {
      return new Set();
    }
    let result = cache.get(start.code);
    if (!result) {
      const found = new Set<string>();
      const queue = [...next(start)];
      while (queue.length) {
        const current = queue.pop() as string;
        // A cycle (a system stating both directions wrongly) must not loop for ever.
        if (found.has(current) || current === start.code) {
          continue;
        }
        found.add(current);
        const concept = this.byCode.get(current);
        if (concept) {
          queue.push(...next(concept));
        }
      }
      result = found;
      cache.set(start.code, result);
    }
    return result;
  }
}

/** A property value as text, for filters: a Coding gives its code. */
export function propertyValueText(p: CodeSystemConceptProperty): string | undefined {
  const value =
    p.valueCode ?? p.valueString ?? p.valueCoding?.code ?? p.valueInteger ?? p.valueBoolean ?? p.valueDecimal ?? p.valueDateTime;
  return value === undefined ? undefined : String(value);
}

/** Folded code, display and designations, without repeats. */
export function searchTexts(code: string, display: string | undefined, designations: readonly { value: string }[]): string[] {
  const texts = new Set<string>([foldText(code)]);
  if (display) {
    texts.add(foldText(display));
  }
  for (const d of designations) {
    if (d.value) {
      texts.add(foldText(d.value));
    }
  }
  return [...texts];
}

function setOf(map: Map<string, Set<string>>, key: string): Set<string> {
  let set = map.get(key);
  if (!set) {
    set = new Set();
    map.set(key, set);
  }
  return set;
}
