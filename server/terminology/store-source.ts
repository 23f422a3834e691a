// A TerminologySource over the server's FHIR store: the network's CodeSystems, ValueSets and ConceptMaps
// are ordinary resources there, found through the core's canonical-resource lookup.
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import type { CanonicalResources } from '../canonical-resources';
import { pickVersion } from './canonical';
import { conceptMapMatches, type ConceptMapCriteria, type TerminologySource } from './terminology-source';

/** Versions of one canonical, or maps of one system, read per question; more are not expected. */
const maxMatches = 200;

export class StoreTerminologySource implements TerminologySource {
  /** `baseUrl`: this server's base, under which a reference is stored as Type/id. */
  constructor(
    private readonly canonicals: CanonicalResources,
    private readonly baseUrl: string
  ) {}

  async codeSystem(url: string, version?: string): Promise<CodeSystem | undefined> {
    return pickVersion(await this.find<CodeSystem>('CodeSystem', [['url', url]]), version);
  }

  async valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    return pickVersion(await this.find<ValueSet>('ValueSet', [['url', url]]), version);
  }

  async conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    const selective: [string, string][] = [];
    for (const [name, value] of [
      ['url', criteria.url],
      ['source-system', criteria.sourceSystem],
      ['target-system', criteria.targetSystem],
    ] as const) {
      if (value !== undefined) selective.push([name, value]);
    }
    const queries = selective.length ? [selective] : this.valueSetQueries(criteria);
    const found = new Map<string, ConceptMap>();
    for (const params of queries) {
      for (const map of await this.find<ConceptMap>('ConceptMap', params)) {
        found.set(map.id as string, map);
      }
    }
    // Every criterion is checked here; the queries only narrow what is read.
    return [...found.values()].filter((map) => conceptMapMatches(map, criteria));
  }

  /**
   * A source or target ValueSet is source[x] / target[x]: a canonical (searched by `source`) or a uri
   * (`source-uri`), so both are asked. A reference search reads a value under this server's base as
   * Type/id while the map holds it as written, so such a value is not searched for, only checked.
   */
  private valueSetQueries(criteria: ConceptMapCriteria): [string, string][][] {
    const [side, value] = criteria.source !== undefined ? ['source', criteria.source] : ['target', criteria.target];
    if (value === undefined || value.startsWith(this.baseUrl + '/')) {
      return [[]];
    }
    return [[[side, value]], [[`${side}-uri`, value]]];
  }

  private find<T extends Resource>(resourceType: string, params: [string, string][]): Promise<T[]> {
    return this.canonicals.find<T>(resourceType, params, maxMatches);
  }
}
