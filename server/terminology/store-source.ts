// A TerminologySource over the server's FHIR store: the network's CodeSystems, ValueSets and ConceptMaps
// are ordinary resources there, found with the same search plans a client's `url=` search compiles to.
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import { parseSearch, type SearchContext } from '../search/parse-search';
import type { StoreOperations } from '../store/port';
import { pickVersion } from './canonical';
import { conceptMapMatches, type ConceptMapCriteria, type TerminologySource } from './terminology-source';

/** Versions of one canonical, or maps of one system, read per question; more are not expected. */
const maxMatches = 200;

export class StoreTerminologySource implements TerminologySource {
  constructor(
    private readonly store: StoreOperations,
    private readonly searchContext: SearchContext
  ) {}

  async codeSystem(url: string, version?: string): Promise<CodeSystem | undefined> {
    return pickVersion(await this.find<CodeSystem>('CodeSystem', [['url', url]]), version);
  }

  async valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    return pickVersion(await this.find<ValueSet>('ValueSet', [['url', url]]), version);
  }

  async conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    const params: [string, string][] = [];
    const add = (name: string, value: string | undefined): void => {
      if (value !== undefined) {
        params.push([name, value]);
      }
    };
    add('url', criteria.url);
    add('source-system', criteria.sourceSystem);
    add('target-system', criteria.targetSystem);
    // A reference search reads a value under this server's base as Type/id, while the canonical is
    // indexed as written: such values are only checked below, on what the other criteria found.
    const local = (value: string | undefined): boolean => value?.startsWith(this.searchContext.baseUrl + '/') ?? false;
    if (!local(criteria.source)) add('source', criteria.source);
    if (!local(criteria.target)) add('target', criteria.target);
    const found = await this.find<ConceptMap>('ConceptMap', params);
    return found.filter((map) => conceptMapMatches(map, criteria));
  }

  private async find<T extends Resource>(resourceType: string, params: [string, string][]): Promise<T[]> {
    const query = new URLSearchParams(params.map(([name, value]): [string, string] => [name, escapeSearchValue(value)]));
    const { plan } = parseSearch(resourceType, query, maxMatches, this.searchContext);
    plan.total = 'none';
    const page = await this.store.search(plan);
    return page.resources.flatMap((version) => (version.resource ? [version.resource as T] : []));
  }
}

/** Search values treat ',' '|' '$' and '\' as syntax (https://hl7.org/fhir/R4/search.html#escaping). */
function escapeSearchValue(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => `\\${c}`);
}
