// The content of a ValueSet: its compose evaluated into a flat, ordered list of codes
// (https://hl7.org/fhir/R4/valueset.html#compositions). Includes are unioned and excludes removed;
// an include with both a system and value sets takes the intersection. This "base expansion" is what
// the engine caches per ValueSet; the text filter, activeOnly and paging are applied to it per request.
import type { ValueSet, ValueSetComposeInclude, ValueSetComposeIncludeConcept, ValueSetExpansionContains } from '@medplum/fhirtypes';
import type { CodeSystemIndex, IndexedConcept } from './concept-index';
import { searchTexts } from './concept-index';
import type { ConceptTexts } from './designations';
import { compileFilter } from './filters/concept-filter';
import { tooCostly, unresolvable, unsupportedContent } from './terminology-errors';

export interface ExpansionItem {
  readonly system: string;
  readonly version?: string;
  readonly code: string;
  /** The code system's concept, when the system is known and defines the code. */
  readonly concept?: IndexedConcept;
  /** Display (the ValueSet's own display for the code wins over the code system's) and designations. */
  readonly texts: ConceptTexts;
  readonly abstract: boolean;
  readonly inactive: boolean;
  /** Folded texts for the filter parameter. */
  readonly searchTexts: readonly string[];
}

export interface BaseExpansion {
  readonly items: readonly ExpansionItem[];
  /** Items by itemKey(system, code). */
  readonly byKey: ReadonlyMap<string, ExpansionItem>;
  /** The code systems drawn on, as url|version (expansion.parameter used-codesystem). */
  readonly codeSystems: readonly string[];
}

/** What expanding needs from the engine: indexed code systems and other ValueSets' expansions. */
export interface ExpansionResolver {
  codeSystem(url: string, version?: string): Promise<CodeSystemIndex | undefined>;
  /** The base expansion of another ValueSet (include.valueSet). */
  importedExpansion(canonical: string): Promise<BaseExpansion>;
}

export function itemKey(system: string, code: string): string {
  return `${system}|${code}`;
}

/** Content modes whose concepts are the system's codes, all or some (fragment: those we hold). */
const expandableContent = new Set(['complete', 'fragment']);

export async function expandValueSetContent(
  valueSet: ValueSet,
  resolver: ExpansionResolver,
  maxSize: number
): Promise<BaseExpansion> {
  const label = valueSet.url ?? 'the ValueSet';
  const codeSystems = new Set<string>();
  const result = new Map<string, ExpansionItem>();
  if (!valueSet.compose) {
    // A ValueSet given with its expansion only (no definition): its codes are as listed.
    for (const item of preExpandedItems(valueSet.expansion?.contains ?? [])) {
      result.set(itemKey(item.system, item.code), item);
    }
  }
  for (const include of valueSet.compose?.include ?? []) {
    for (const item of await selectItems(include, label, resolver, codeSystems)) {
      const key = itemKey(item.system, item.code);
      if (!result.has(key)) {
        result.set(key, item);
      }
    }
    if (result.size > maxSize) {
      throw tooCostly(`${label} holds more than ${maxSize} codes; it is too large to expand here`);
    }
  }
  for (const exclude of valueSet.compose?.exclude ?? []) {
    for (const item of await selectItems(exclude, label, resolver, codeSystems)) {
      result.delete(itemKey(item.system, item.code));
    }
  }
  return { items: [...result.values()], byKey: result, codeSystems: [...codeSystems] };
}

/** The codes one include (or exclude) names. */
async function selectItems(
  include: ValueSetComposeInclude,
  label: string,
  resolver: ExpansionResolver,
  codeSystems: Set<string>
): Promise<readonly ExpansionItem[]> {
  let items: readonly ExpansionItem[] | undefined;
  if (include.system) {
    items = await selectFromSystem(include, include.system, label, resolver, codeSystems);
  }
  for (const canonical of include.valueSet ?? []) {
    const imported = await resolver.importedExpansion(canonical);
    imported.codeSystems.forEach((cs) => codeSystems.add(cs));
    items = items === undefined ? imported.items : items.filter((i) => imported.byKey.has(itemKey(i.system, i.code)));
  }
  return items ?? [];
}

async function selectFromSystem(
  include: ValueSetComposeInclude,
  system: string,
  label: string,
  resolver: ExpansionResolver,
  codeSystems: Set<string>
): Promise<ExpansionItem[]> {
  const index = await resolver.codeSystem(system, include.version);
  if (index) {
    codeSystems.add(index.version ? `${index.url}|${index.version}` : index.url);
  }
  if (include.concept) {
    return listedItems(include.concept, system, include.version, index);
  }
  if (!index) {
    throw unresolvable(
      `${label} includes ${include.filter ? 'a filter on' : 'all codes of'} code system ${system}` +
        `${include.version ? ` version ${include.version}` : ''}, which this server does not know`
    );
  }
  if (!expandableContent.has(index.content)) {
    throw unsupportedContent(
      `${label} includes ${include.filter ? 'a filter on' : 'all codes of'} ${system}, whose content here is '${index.content}': ` +
        'its codes are not all known to this server, so the ValueSet cannot be expanded'
    );
  }
  let concepts = index.concepts;
  for (const filter of include.filter ?? []) {
    concepts = concepts.filter(compileFilter(index, filter));
  }
  return concepts.map((concept) => conceptItem(index, concept));
}

/** Codes listed by the ValueSet. A code a complete code system does not define is not in the expansion. */
function listedItems(
  listed: ValueSetComposeIncludeConcept[],
  system: string,
  version: string | undefined,
  index: CodeSystemIndex | undefined
): ExpansionItem[] {
  const items: ExpansionItem[] = [];
  for (const entry of listed) {
    const concept = index?.get(entry.code);
    if (!concept && index?.content === 'complete') {
      continue;
    }
    const designations = [...(entry.designation ?? []), ...(concept?.designations ?? [])];
    const display = entry.display ?? concept?.display;
    const extraTexts = concept?.display !== undefined && concept.display !== display ? [{ value: concept.display }] : [];
    items.push({
      system,
      version: index?.version ?? version,
      code: concept?.code ?? entry.code,
      concept,
      // A display given by the ValueSet is in the ValueSet's language; we take the code system's.
      texts: { display, displayLanguage: index?.language, designations },
      abstract: concept?.abstract ?? false,
      inactive: concept?.inactive ?? false,
      searchTexts: searchTexts(entry.code, display, [...designations, ...extraTexts]),
    });
  }
  return items;
}

function conceptItem(index: CodeSystemIndex, concept: IndexedConcept): ExpansionItem {
  return {
    system: index.url,
    version: index.version,
    code: concept.code,
    concept,
    texts: { display: concept.display, displayLanguage: index.language, designations: concept.designations },
    abstract: concept.abstract,
    inactive: concept.inactive,
    searchTexts: concept.searchTexts,
  };
}

function preExpandedItems(contains: ValueSetExpansionContains[]): ExpansionItem[] {
  return contains.flatMap((c) => {
    const nested = preExpandedItems(c.contains ?? []);
    if (!c.system || !c.code) {
      return nested;
    }
    const designations = (c.designation ?? []).map((d) => ({ language: d.language, use: d.use, value: d.value }));
    const item: ExpansionItem = {
      system: c.system,
      version: c.version,
      code: c.code,
      texts: { display: c.display, designations },
      abstract: c.abstract ?? false,
      inactive: c.inactive ?? false,
      searchTexts: searchTexts(c.code, c.display, designations),
    };
    return [item, ...nested];
  });
}
