// Several TerminologySources asked in order: the server's store first, the base R4 definitions second,
// so that a network resource with a base url (a newer version, a translation) wins.
import type { CodeSystem, ConceptMap, ValueSet } from '@medplum/fhirtypes';
import type { ConceptMapCriteria, TerminologySource } from './terminology-source';

export class LayeredTerminologySource implements TerminologySource {
  constructor(private readonly layers: readonly TerminologySource[]) {}

  async codeSystem(url: string, version?: string): Promise<CodeSystem | undefined> {
    for (const layer of this.layers) {
      const found = await layer.codeSystem(url, version);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  async valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    for (const layer of this.layers) {
      const found = await layer.valueSet(url, version);
      if (found) {
        return found;
      }
    }
    return undefined;
  }

  /** Maps of every layer; a map whose url an earlier layer already gave is left out. */
  async conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    const result: ConceptMap[] = [];
    const urls = new Set<string>();
    for (const layer of this.layers) {
      const found = await layer.conceptMaps(criteria);
      const fresh = found.filter((map) => map.url === undefined || !urls.has(map.url));
      result.push(...fresh);
      fresh.forEach((map) => map.url !== undefined && urls.add(map.url));
    }
    return result;
  }
}
