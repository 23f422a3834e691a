// A TerminologySource over a list of resources held in memory: the base R4 definitions and tests use it.
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import { pickVersion } from './canonical';
import { conceptMapMatches, type ConceptMapCriteria, type TerminologySource } from './terminology-source';

export class InMemoryTerminologySource implements TerminologySource {
  private readonly codeSystems = new Map<string, CodeSystem[]>();
  private readonly valueSets = new Map<string, ValueSet[]>();
  private readonly maps: ConceptMap[] = [];

  /** Resources other than CodeSystem, ValueSet and ConceptMap, and those without a url, are ignored. */
  constructor(resources: Iterable<Resource>) {
    for (const resource of resources) {
      if (resource.resourceType === 'CodeSystem' && resource.url) {
        add(this.codeSystems, resource.url, resource);
      } else if (resource.resourceType === 'ValueSet' && resource.url) {
        add(this.valueSets, resource.url, resource);
      } else if (resource.resourceType === 'ConceptMap') {
        this.maps.push(resource);
      }
    }
  }

  async codeSystem(url: string, version?: string): Promise<CodeSystem | undefined> {
    return pickVersion(this.codeSystems.get(url) ?? [], version);
  }

  async valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    return pickVersion(this.valueSets.get(url) ?? [], version);
  }

  async conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    return this.maps.filter((map) => conceptMapMatches(map, criteria));
  }
}

function add<T>(byUrl: Map<string, T[]>, url: string, resource: T): void {
  const list = byUrl.get(url);
  if (list) {
    list.push(resource);
  } else {
    byUrl.set(url, [resource]);
  }
}
