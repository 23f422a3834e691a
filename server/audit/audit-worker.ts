// The audit writer's thread: opens the configured store on its own connection (as main.ts does) and
// writes the batches of AuditEvents the server sends it, one store transaction each, so that storing
// and indexing the audit runs beside the requests instead of on their event loop. Started by
// audit-worker-writer.ts; answers each batch with { id, ok }.
import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../config';
import { loadResourceDefinitions } from '../fhir/resource-definitions';
import { uniqueIdentifiersRule } from '../integrity/integrity-rules';
import { SearchParameterRegistry } from '../search/indexing/registry';
import { createResourceIndexer } from '../search/indexing/resource-indexer';
import { loadNetworkSearchParameters } from '../search/network-search-parameters';
import { openStore } from '../store/open-store';
import { storeWriter } from './audit-trail';
import { parseEventLines } from './audit-worker-writer';

/** A batch of events as texts of one JSON text per line (audit-worker-writer.ts, eventTexts), or the request to close. */
export type WorkerRequest = { id: number; events: string[] } | { id: number; close: true };
export type WorkerReply = { id: number; ok: true } | { id: number; ok: false; error: string } | { ready: true };

async function run(): Promise<void> {
  const port = parentPort;
  if (!port) {
    throw new Error('audit-worker.js runs as a worker thread of the server');
  }
  const config = loadConfig();
  loadResourceDefinitions();
  const registry = new SearchParameterRegistry(loadNetworkSearchParameters(config.profilesDir), { uniqueParameters: !config.rulesOff.has(uniqueIdentifiersRule) });
  // Its connections have the page cache of the server's reading ones: it appends AuditEvents and their
  // index rows, and each connection's cache counts in the process's memory (docs/performance.md, "Memory").
  const store = await openStore({ ...config, sqliteCacheMiB: config.sqliteReadCacheMiB }, createResourceIndexer(registry));
  const write = storeWriter(store);
  port.on('message', (request: WorkerRequest) => {
    if ('close' in request) {
      store.close().then(
        () => port.postMessage({ id: request.id, ok: true } satisfies WorkerReply),
        (err: unknown) => port.postMessage({ id: request.id, ok: false, error: err instanceof Error ? err.name : 'Error' } satisfies WorkerReply)
      );
      return;
    }
    // Parsed inside the promise: a batch that does not parse is a failed write, retried, never a dead thread.
    Promise.resolve(request.events).then((texts) => write(texts.flatMap(parseEventLines))).then(
      () => port.postMessage({ id: request.id, ok: true } satisfies WorkerReply),
      // The error's kind only: its message may quote what was written.
      (err: unknown) => port.postMessage({ id: request.id, ok: false, error: err instanceof Error ? err.name : 'Error' } satisfies WorkerReply)
    );
  });
  port.postMessage({ ready: true } satisfies WorkerReply);
}

void run();
