// What the engine has read and computed, kept until a CodeSystem, ValueSet or ConceptMap is written
// (invalidate()): indexed code systems, resolved ValueSets and ConceptMaps, and ValueSet expansions
// before and after the text filter. Every entry is computed from its key inside the cache, so an entry
// made after an invalidation never holds content read before it.
import type { CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';
import { BoundedCache } from './bounded-cache';
import { parseCanonical } from './canonical';
import { CodeSystemIndex } from './concept-index';
import { expandValueSetContent, type BaseExpansion, type ExpansionItem } from './expansion';
import type { ConceptMapCriteria, TerminologySource } from './terminology-source';
import { notKnown, unresolvable } from './terminology-errors';
import { compileTextFilter, matchesTextFilter } from './text-match';

/** A ValueSet by canonical url (and version), or given as a resource (inline, or read by id). */
export type ValueSetRef = { url: string; version?: string } | { resource: ValueSet; cacheKey?: string };
export type CodeSystemRef = { url: string; version?: string } | { resource: CodeSystem; cacheKey?: string };

export interface ResolvedExpansion {
  valueSet: ValueSet;
  base: BaseExpansion;
  /** Identifies the expansion in the cache; absent for an inline ValueSet, which is not cached. */
  key?: string;
}

/** The subset of an expansion a request sees before paging. */
export interface ExpansionView {
  filter?: string;
  activeOnly?: boolean;
  excludeNotForUI?: boolean;
}

export interface TerminologyLimits {
  /** Codes an expansion may hold before it is refused as too costly. */
  maxExpansionSize: number;
}

export class TerminologyCache {
  private readonly codeSystems = new BoundedCache<string, Promise<CodeSystemIndex | undefined>>(1000);
  private readonly valueSets = new BoundedCache<string, Promise<ValueSet | undefined>>(1000);
  private readonly expansions = new BoundedCache<string, Promise<ResolvedExpansion>>(200);
  private readonly views = new BoundedCache<string, Promise<readonly ExpansionItem[]>>(200);
  private readonly conceptMapLists = new BoundedCache<string, Promise<ConceptMap[]>>(500);

  constructor(
    private readonly source: TerminologySource,
    private readonly limits: TerminologyLimits
  ) {}

  /** Forgets everything: called after a CodeSystem, ValueSet or ConceptMap is written. */
  invalidate(): void {
    this.codeSystems.clear();
    this.valueSets.clear();
    this.expansions.clear();
    this.views.clear();
    this.conceptMapLists.clear();
  }

  codeSystem(url: string, version?: string): Promise<CodeSystemIndex | undefined> {
    return this.codeSystems.remember(`${url}|${version ?? ''}`, async () => {
      const resource = await this.source.codeSystem(url, version);
      return resource ? new CodeSystemIndex(resource) : undefined;
    });
  }

  /** An inline code system is indexed per request unless it has a cache key (an instance's version). */
  codeSystemOf(ref: CodeSystemRef): Promise<CodeSystemIndex | undefined> {
    if ('url' in ref) {
      return this.codeSystem(ref.url, ref.version);
    }
    const make = async (): Promise<CodeSystemIndex> => new CodeSystemIndex(ref.resource);
    return ref.cacheKey ? this.codeSystems.remember(`#${ref.cacheKey}`, make) : make();
  }

  /** A ValueSet by canonical; `[system]?fhir_vs` names the implicit ValueSet of all its codes. */
  valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    return this.valueSets.remember(`${url}|${version ?? ''}`, async () => implicitValueSet(url) ?? this.source.valueSet(url, version));
  }

  conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    return this.conceptMapLists.remember(JSON.stringify(criteria), () => this.source.conceptMaps(criteria));
  }

  /** The ValueSet and its base expansion; an unknown url is 404 (it was named by the request). */
  expansion(ref: ValueSetRef): Promise<ResolvedExpansion> {
    if ('url' in ref) {
      const key = `${ref.url}|${ref.version ?? ''}`;
      return this.expansions.remember(key, async () => {
        const valueSet = await this.valueSet(ref.url, ref.version);
        if (!valueSet) {
          throw notKnown(`ValueSet '${ref.url}'${ref.version ? ` version ${ref.version}` : ''} is not known to this server`, 'url');
        }
        return { valueSet, base: await this.expand(valueSet), key };
      });
    }
    const make = async (): Promise<ResolvedExpansion> => ({ valueSet: ref.resource, base: await this.expand(ref.resource) });
    if (!ref.cacheKey) {
      return make();
    }
    const key = `#${ref.cacheKey}`;
    return this.expansions.remember(key, async () => ({ ...(await make()), key }));
  }

  /** The expansion's items a request sees: text filter, activeOnly and excludeNotForUI applied. */
  async viewItems(ref: ValueSetRef, view: ExpansionView): Promise<{ resolved: ResolvedExpansion; items: readonly ExpansionItem[] }> {
    const resolved = await this.expansion(ref);
    const plain = !view.filter?.trim() && !view.activeOnly && !view.excludeNotForUI;
    if (plain) {
      return { resolved, items: resolved.base.items };
    }
    const select = async (): Promise<readonly ExpansionItem[]> => selectView(resolved.base.items, view);
    const viewKey = [resolved.key, view.filter ?? '', !!view.activeOnly, !!view.excludeNotForUI].join('\u0000');
    const items = resolved.key ? await this.views.remember(viewKey, select) : await select();
    return { resolved, items };
  }

  private async expand(valueSet: ValueSet): Promise<BaseExpansion> {
    await this.refuseImportCycles(valueSet);
    return expandValueSetContent(
      valueSet,
      {
        codeSystem: (url, version) => this.codeSystem(url, version),
        importedExpansion: async (canonical) => {
          const { url, version } = parseCanonical(canonical);
          try {
            return (await this.expansion({ url, version })).base;
          } catch (err) {
            const label = valueSet.url ?? 'the ValueSet';
            const unknown = (err as { status?: number }).status === 404;
            throw unknown ? unresolvable(`${label} includes ValueSet ${canonical}, which this server does not know`) : err;
          }
        },
      },
      this.limits.maxExpansionSize
    );
  }

  /**
   * ValueSets that include each other cannot be expanded; found before expanding, because two requests
   * expanding such a pair from either end would otherwise wait on each other's cached expansion.
   */
  private async refuseImportCycles(valueSet: ValueSet): Promise<void> {
    const visit = async (current: ValueSet, path: string[]): Promise<void> => {
      const parts = [...(current.compose?.include ?? []), ...(current.compose?.exclude ?? [])];
      for (const canonical of parts.flatMap((p) => p.valueSet ?? [])) {
        const { url, version } = parseCanonical(canonical);
        if (path.includes(url)) {
          throw unresolvable(`ValueSets include each other: ${[...path, url].join(' -> ')}`);
        }
        const imported = await this.valueSet(url, version);
        if (imported) {
          await visit(imported, [...path, url]);
        }
      }
    };
    await visit(valueSet, [valueSet.url ?? '(inline ValueSet)']);
  }
}

function selectView(items: readonly ExpansionItem[], view: ExpansionView): ExpansionItem[] {
  const text = view.filter?.trim() ? compileTextFilter(view.filter) : undefined;
  return items.filter(
    (item) =>
      !(view.activeOnly && item.inactive) &&
      !(view.excludeNotForUI && item.abstract) &&
      (text === undefined || matchesTextFilter(text, item.searchTexts))
  );
}

/** `http://x?fhir_vs` (all codes of x) and `http://x?fhir_vs=isa/[code]` (https://hl7.org/fhir/R4/valueset.html#csvs). */
function implicitValueSet(url: string): ValueSet | undefined {
  const match = /^([^?]+)\?fhir_vs(?:=isa\/(.+))?$/.exec(url);
  if (!match) {
    return undefined;
  }
  const [, system, isa] = match;
  return {
    resourceType: 'ValueSet',
    url,
    status: 'active',
    compose: { include: [{ system, ...(isa ? { filter: [{ property: 'concept', op: 'is-a', value: isa }] } : {}) }] },
  };
}
