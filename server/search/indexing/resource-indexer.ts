// The indexer the store calls on every write: the registry's parameters extracted from the resource.
import type { ResourceIndexer } from './types';
import { extractIndexEntries } from './index-entries';
import { extractStoreSetEntries } from './planned-extraction';
import type { SearchParameterRegistry } from './registry';

export function createResourceIndexer(registry: SearchParameterRegistry): ResourceIndexer {
  const indexer: ResourceIndexer = (resource) => extractIndexEntries(resource, registry);
  indexer.split = { definition: registry.definition, storeSetEntries: (stored) => extractStoreSetEntries(stored, registry) };
  return indexer;
}
