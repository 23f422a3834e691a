// POST [base] with a batch or transaction Bundle (https://hl7.org/fhir/R4/http.html#transaction): checks
// the Bundle and its size, then hands it to batch.ts or transaction.ts.
import type { Bundle } from '@medplum/fhirtypes';
import { badRequest, payloadTooLarge, shown } from '../../outcomes';
import type { Interaction } from '../request';
import { processBatch } from './batch';
import { processTransaction } from './transaction';

export const processBundle: Interaction = async (request, _params, context) => {
  const bundle = request.body as Partial<Bundle> | undefined;
  if (typeof bundle !== 'object' || bundle === null || Array.isArray(bundle) || bundle.resourceType !== 'Bundle') {
    throw badRequest('POST to the base URL takes a Bundle of type batch or transaction');
  }
  if (bundle.type !== 'batch' && bundle.type !== 'transaction') {
    throw badRequest(`POST to the base URL takes a Bundle of type batch or transaction, not '${shown(bundle.type)}'`, 'Bundle.type');
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) {
    throw badRequest('Bundle.entry must be an array', 'Bundle.entry');
  }
  const count = bundle.entry?.length ?? 0;
  const limit = context.settings.maxBundleEntries;
  if (count > limit) {
    throw payloadTooLarge(
      `The Bundle has ${count} entries; this server takes at most ${limit} (FHIR_BUNDLE_MAX_ENTRIES): split it into smaller Bundles`
    );
  }
  const shared = { prefer: request.headers['prefer'] };
  const body =
    bundle.type === 'batch'
      ? await processBatch(bundle as Bundle, shared, context)
      : await processTransaction(bundle as Bundle, shared, context);
  return { status: 200, body };
};
