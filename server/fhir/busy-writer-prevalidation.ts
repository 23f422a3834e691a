// A single create sent while another create waits for the writer is checked on a store thread
// (server/validation/prevalidated-writes.ts), so that the server's thread, which also runs every
// write's SQL and commit, spends its time on those instead of the validator and the index extraction.
// A create arriving alone is checked here, as before: nothing else is queued for the server's thread,
// and the crossing to a thread and back would only lengthen the request.
import type { FhirContext } from './request';
import type { ValidationPool } from '../validation/prevalidated-writes';
import { validatorSources } from '../validation/offloaded-validation';

/** Creates under way per validation pool (one pool per FHIR core). */
const underWay = new WeakMap<ValidationPool, number>();

/**
 * Runs `write` (the create, its checks included) with the context it should check `body` in: with a
 * thread's verdict when other creates are under way. A Bundle's entries never come here with a pool
 * (entry-prevalidation.ts has checked them together), and a profile or terminology resource is always
 * checked by the writer, as a Bundle's are.
 */
export async function checkedWhileBusy<T>(body: unknown, resourceType: string, context: FhirContext, write: (context: FhirContext) => Promise<T>): Promise<T> {
  const pool = context.validationPool;
  if (!pool || context.prevalidated || validatorSources.includes(resourceType)) {
    return write(context);
  }
  const others = underWay.get(pool) ?? 0;
  underWay.set(pool, others + 1);
  try {
    const prevalidated = others > 0 ? await pool.prevalidate([body], new Map(), false) : undefined;
    return await write(prevalidated ? { ...context, prevalidated } : context);
  } finally {
    underWay.set(pool, (underWay.get(pool) ?? 1) - 1);
  }
}
