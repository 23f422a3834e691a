// The indexer the store calls on every write: the registry's parameters extracted from the resource.
import type { ResourceIndexer } from '../store/port';
import { extractIndexEntries } from './indexing/index-entries';
import type { SearchParameterRegistry } from './indexing/registry';

export function createResourceIndexer(registry: SearchParameterRegistry): ResourceIndexer {
  return (resource) => extractIndexEntries(resource, registry);
}
