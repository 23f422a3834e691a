// The indexer the store calls on every write: the registry's parameters extracted from the resource.
import type { ResourceIndexer } from './types';
import { extractIndexEntries } from './index-entries';
import type { SearchParameterRegistry } from './registry';

export function createResourceIndexer(registry: SearchParameterRegistry): ResourceIndexer {
  return (resource) => extractIndexEntries(resource, registry);
}
