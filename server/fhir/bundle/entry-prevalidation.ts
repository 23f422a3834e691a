// A Bundle's entries checked on the store's threads before the Bundle enters the writer's queue
// (server/validation/prevalidated-writes.ts), so that the writer, busy with earlier requests meanwhile,
// then mostly takes verdicts instead of validating. Only what an entry writes is checked here; the
// writer still checks each write, taking a verdict only for the very JSON text it writes.
import { newResourceId } from '../ids';
import type { FhirContext } from '../request';
import { validatorSources } from '../../validation/offloaded-validation';
import type { EntryRequest } from './entry-request';

/**
 * Checks the resources the entries create or update. For a transaction, each new resource's id is
 * chosen now (`request.assignedId`, which planning keeps) and each fullUrl's planned rewrite applied
 * first: a placeholder's text may be read by an invariant, so the check must see the reference as it
 * will be stored. A conditional create that finds its resource, or a conditional reference, is
 * rewritten otherwise inside the transaction, and the writer checks those entries itself.
 * Returns the context the entries then run in.
 */
export async function prevalidateEntries(entries: readonly EntryRequest[], context: FhirContext, transaction: boolean): Promise<FhirContext> {
  const pool = context.validationPool;
  // A Bundle that writes a profile or terminology would be checked against the store before its own
  // writes: its entries are checked by the writer, as each is written.
  if (!pool || entries.some((entry) => validatorSources.includes(resourceTypeOf(entry)))) {
    return context;
  }
  const rewrites = new Map<string, string>();
  const bodies: unknown[] = [];
  for (const { request, method, fullUrl } of entries) {
    const onId = request.path.split('/').length === 2;
    if (method === 'POST' && !onId) {
      if (transaction) {
        request.assignedId = newResourceId();
        if (fullUrl) {
          rewrites.set(fullUrl, `${request.path}/${request.assignedId}`);
        }
      }
      bodies.push(request.body);
    } else if (method === 'PUT' && onId) {
      if (transaction && fullUrl) {
        rewrites.set(fullUrl, request.path);
      }
      bodies.push(request.body);
    }
  }
  const prevalidated = await pool.prevalidate(bodies, rewrites, transaction);
  return prevalidated ? { ...context, prevalidated } : context;
}

function resourceTypeOf(entry: EntryRequest): string {
  return entry.request.path.split('/')[0];
}
