// batch: POST [base] with a Bundle of type batch (https://hl7.org/fhir/R4/http.html#transaction).
// Entries are independent: each succeeds or fails alone and gets its own response, in entry order.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { toFhirError } from '../../outcomes';
import { handleFhirRequest } from '../dispatch';
import type { FhirContext, FhirResponse } from '../request';
import { prevalidateEntries } from './entry-prevalidation';
import { parseEntryRequest, type EntryRequest, type SharedHeaders } from './entry-request';
import { entryFromError, entryFromResponse } from './entry-response';

/**
 * Entries in flight at once. They share the store's group commits, which is most of a small write's
 * cost, while the bound keeps one large batch from crowding out other clients.
 */
const concurrency = 32;

export async function processBatch(bundle: Bundle, shared: SharedHeaders, context: FhirContext): Promise<Bundle> {
  const entries = bundle.entry ?? [];
  // Each entry's request, or why it has none (answered as that entry's failure).
  const requests = entries.map((entry, index): EntryRequest | { failure: unknown } => {
    try {
      return parseEntryRequest(entry, index, context.baseUrl, shared, context.caller);
    } catch (failure) {
      return { failure };
    }
  });
  // The entries' writes are checked on the store's threads first (entry-prevalidation.ts).
  const checked = await prevalidateEntries(
    requests.filter((r): r is EntryRequest => !('failure' in r)),
    context,
    false
  );
  const responses: BundleEntry[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length) {
      const index = next++;
      responses[index] = await processEntry(requests[index], index, checked);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  return { resourceType: 'Bundle', type: 'batch-response', entry: responses };
}

async function processEntry(entry: EntryRequest | { failure: unknown }, index: number, context: FhirContext): Promise<BundleEntry> {
  try {
    if ('failure' in entry) {
      throw entry.failure;
    }
    const { request, method } = entry;
    // Each entry is a request of its own: its own route, hooks and write transaction.
    const response: FhirResponse = await handleFhirRequest(request, context, { bundleType: 'batch', index }, { entry: `Bundle.entry[${index}]` });
    return entryFromResponse(response, method, context.baseUrl);
  } catch (err) {
    const { error, isServerBug } = toFhirError(err);
    if (isServerBug) {
      context.logger.error({ err, entry: index }, 'batch entry failed with a server error');
    }
    return entryFromError(error);
  }
}
