// A test server holding the network's terminology and profiles, loaded as start-up loads them.
import path from 'node:path';
import { loadContentDirectory } from '../../server/content/content-loader';
import { generatedDir, repoRoot } from '../profiles/profile-validation';
import { createTestServer, memoryStore, type TestServer } from './test-server';

export async function networkServer(options: Parameters<typeof createTestServer>[0] = {}): Promise<TestServer> {
  const store = options.store ?? memoryStore();
  await loadContentDirectory(store, path.join(repoRoot, 'terminology'));
  await loadContentDirectory(store, generatedDir);
  return createTestServer({ ...options, store });
}
