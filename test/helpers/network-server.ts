// A test server holding the network's terminology and profiles, loaded as start-up loads them.
import path from 'node:path';
import { loadContentDirectory } from '../../server/content/content-loader';
import type { ResourceStore } from '../../server/store/port';
import { generatedDir, repoRoot } from '../profiles/profile-validation';
import { createTestServer, memoryStore, type TestServer } from './test-server';

/** The terminology and the generated profiles, into a store. */
export async function loadNetworkContent(store: ResourceStore): Promise<void> {
  await loadContentDirectory(store, path.join(repoRoot, 'terminology'));
  await loadContentDirectory(store, generatedDir);
}

export async function networkServer(options: Parameters<typeof createTestServer>[0] = {}): Promise<TestServer> {
  const store = options.store ?? memoryStore();
  await loadNetworkContent(store);
  return createTestServer({ ...options, store });
}
