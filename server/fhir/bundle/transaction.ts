// transaction: POST [base] with a Bundle of type transaction (https://hl7.org/fhir/R4/http.html#trules).
// All or nothing, in one store transaction: identities are resolved first (conditional entries
// searched, new ids assigned), placeholders and conditional references rewritten, then the entries
// run in the spec's order (DELETE, POST, PUT/PATCH, GET/HEAD); any failure rolls everything back.
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import { badRequest, FhirError, issue, toFhirError } from '../../outcomes';
import { joinTransaction } from '../../store/joined-transaction';
import type { ResourceVersion, StoreOperations } from '../../store/port';
import { findSingleMatch, splitConditionalUrl } from '../conditional-match';
import { existingResponse, findExisting } from '../create';
import { deleteMatches, findDeleteMatches } from '../delete';
import { handleFhirRequest } from '../dispatch';
import { newResourceId } from '../ids';
import type { FhirContext, FhirResponse } from '../request';
import { conditionalUpdateId, withId } from '../update';
import { describeEntry, parseEntryRequest, type EntryRequest, type SharedHeaders } from './entry-request';
import { entryFromResponse } from './entry-response';
import { collectReferences, rewriteReferences } from './reference-rewrite';

interface PlannedEntry extends EntryRequest {
  /** 0 DELETE, 1 POST, 2 PUT and PATCH, 3 reads: the order the spec processes them in. */
  phase: number;
  /** The resources the entry writes ('Type/id'), to refuse two entries writing the same one. */
  targets: string[];
  /** A conditional create whose criteria matched: it answers with this resource and writes nothing. */
  existing?: ResourceVersion;
  /** A conditional delete's matches. */
  deleteMatches?: ResourceVersion[];
}

export async function processTransaction(bundle: Bundle, shared: SharedHeaders, context: FhirContext): Promise<Bundle> {
  // Malformed entries are refused before the store is touched.
  const entries = (bundle.entry ?? []).map((entry, index) => parseEntryRequest(entry, index, context.baseUrl, shared));
  return context.store.transaction(async (tx) => {
    const txContext: FhirContext = { ...context, store: joinTransaction(tx) };
    const planned: PlannedEntry[] = [];
    for (const entry of entries) {
      planned.push(await forEntry(entry, () => planEntry(entry, tx, txContext)));
    }
    checkDistinctTargets(planned);
    const references = await resolveReferences(planned, tx, txContext);
    for (const entry of planned) {
      await forEntry(entry, async () =>
        rewriteReferences(entry.request.body, (reference, path) => mapReference(reference, path, entry, references), 'resource')
      );
    }
    const responses: BundleEntry[] = new Array(planned.length);
    for (const phase of [0, 1, 2, 3]) {
      for (const entry of planned.filter((e) => e.phase === phase)) {
        const response = await forEntry(entry, () => execute(entry, tx, txContext));
        responses[entry.index] = entryFromResponse(response, entry.method, context.baseUrl);
      }
    }
    return { resourceType: 'Bundle', type: 'transaction-response', entry: responses };
  });
}

/** Resolves what an entry writes, before anything is written. */
async function planEntry(entry: EntryRequest, tx: StoreOperations, context: FhirContext): Promise<PlannedEntry> {
  const { request, method } = entry;
  const segments = request.path.split('/');
  const resourceType = segments[0];
  const criteria = request.query.toString();
  const planned: PlannedEntry = { ...entry, phase: 3, targets: [] };
  if (method === 'DELETE') {
    planned.phase = 0;
    if (segments.length === 1 && criteria) {
      planned.deleteMatches = await findDeleteMatches(tx, context, resourceType, criteria);
      planned.targets = planned.deleteMatches.map((m) => `${resourceType}/${m.id}`);
    } else if (segments.length === 2) {
      planned.targets = [request.path];
    }
  } else if (method === 'POST' && segments.length === 1) {
    planned.phase = 1;
    const ifNoneExist = request.headers['if-none-exist'];
    const existing = ifNoneExist === undefined ? undefined : await findExisting(tx, context, resourceType, ifNoneExist);
    if (existing) {
      planned.existing = existing;
      planned.targets = [`${resourceType}/${existing.id}`];
    } else {
      request.assignedId = newResourceId();
      planned.targets = [`${resourceType}/${request.assignedId}`];
    }
  } else if (method === 'PUT' || method === 'PATCH') {
    planned.phase = 2;
    if (segments.length === 1 && criteria) {
      const id =
        method === 'PUT'
          ? await conditionalUpdateId(tx, context, resourceType, criteria, request.body)
          : await findSingleMatch(tx, context, resourceType, criteria, 'Conditional patch');
      request.path = `${resourceType}/${id}`;
      request.query = new URLSearchParams();
      if (method === 'PUT') {
        request.body = withId(request.body, id);
      }
    }
    if (request.path.split('/').length === 2) {
      planned.targets = [request.path];
    }
  }
  return planned;
}

/** The spec forbids a transaction to change one resource twice: the outcome would depend on order. */
function checkDistinctTargets(entries: PlannedEntry[]): void {
  const seen = new Map<string, PlannedEntry>();
  for (const entry of entries) {
    for (const target of entry.targets) {
      const earlier = seen.get(target);
      if (earlier) {
        throw badRequest(
          `${describeEntry(earlier)} and ${describeEntry(entry)} both change ${target}: a transaction may change a resource once`,
          `Bundle.entry[${entry.index}]`
        );
      }
      seen.set(target, entry);
    }
  }
}

/**
 * What references are rewritten to: each entry's fullUrl to the id it resolved to, and each
 * conditional reference ('Patient?identifier=...') to its one match.
 */
async function resolveReferences(entries: PlannedEntry[], tx: StoreOperations, context: FhirContext): Promise<Map<string, string>> {
  const resolved = new Map<string, string>();
  for (const entry of entries) {
    if (entry.fullUrl && entry.targets.length === 1 && (entry.method === 'POST' || entry.method === 'PUT')) {
      resolved.set(entry.fullUrl, entry.targets[0]);
    }
  }
  for (const entry of entries) {
    for (const reference of collectReferences(entry.request.body)) {
      const conditional = splitConditionalUrl(reference);
      if (conditional && !resolved.has(reference)) {
        const id = await forEntry(entry, () =>
          findSingleMatch(tx, context, conditional.resourceType, conditional.criteria, 'Conditional reference')
        );
        resolved.set(reference, `${conditional.resourceType}/${id}`);
      }
    }
  }
  return resolved;
}

function mapReference(reference: string, path: string, entry: PlannedEntry, resolved: Map<string, string>): string | undefined {
  const target = resolved.get(reference);
  if (target !== undefined) {
    return target;
  }
  if (reference.startsWith('urn:uuid:') || reference.startsWith('urn:oid:')) {
    throw badRequest(`${path} refers to '${reference}', which is not the fullUrl of any entry in the transaction`, path);
  }
  return undefined;
}

async function execute(entry: PlannedEntry, tx: StoreOperations, context: FhirContext): Promise<FhirResponse> {
  if (entry.existing) {
    return existingResponse(entry.request, entry.existing, context);
  }
  if (entry.deleteMatches) {
    return deleteMatches(tx, entry.request.path, entry.deleteMatches);
  }
  return handleFhirRequest(entry.request, context);
}

/** Runs an entry's work; a failure fails the transaction with a message that names the entry. */
async function forEntry<T>(entry: EntryRequest, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw entryError(err, entry);
  }
}

function entryError(err: unknown, entry: EntryRequest): unknown {
  const { error, isServerBug } = toFhirError(err);
  if (isServerBug) {
    return err;
  }
  const first = error.outcome.issue?.[0];
  const summary = issue(
    first?.code ?? 'processing',
    `${describeEntry(entry)} (${entry.method} ${entry.request.path}) failed: ${error.message}. ` +
      'The transaction was rolled back: nothing was stored.',
    `Bundle.entry[${entry.index}]`
  );
  return new FhirError(error.status, [summary, ...(error.outcome.issue ?? [])], error.headers);
}
