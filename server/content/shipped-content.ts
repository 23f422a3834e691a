// The server's shipped content, loaded into the store at every start-up (and by the bulk loader): the
// network's terminology, then the implementation guide's generated resources (StructureDefinitions,
// SearchParameters, the ImplementationGuide), so that clients can read the profiles they are asked to
// follow. The files own what they load: the owned-content rule keeps the API from changing it.
import path from 'node:path';
import type { ServerConfig } from '../config';
import { ContentOwnership } from '../integrity/owned-content';
import type { ResourceStore } from '../store/port';
import { loadContentDirectory, type ContentLoadResult } from './content-loader';

export interface ShippedContent {
  /** Each directory loaded, with what it wrote. */
  loaded: { dir: string; result: ContentLoadResult }[];
  ownership: ContentOwnership;
}

/** Throws ContentError, naming the file, for a file that cannot be loaded. */
export async function loadShippedContent(
  store: ResourceStore,
  config: Pick<ServerConfig, 'terminologyDir' | 'profilesDir'>
): Promise<ShippedContent> {
  const ownership = new ContentOwnership();
  const loaded: ShippedContent['loaded'] = [];
  for (const dir of [config.terminologyDir, path.join(config.profilesDir, 'generated'), path.join(config.profilesDir, 'measures')]) {
    const result = await loadContentDirectory(store, dir);
    ownership.add(result.owned);
    loaded.push({ dir, result });
  }
  return { loaded, ownership };
}
