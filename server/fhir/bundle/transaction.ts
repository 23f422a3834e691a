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
import { failed, matchRoute, runAfter, runBefore } from '../dispatch';
import { returnedResources, type HookCall } from '../pipeline/hooks';
import { scopedContext } from '../pipeline/pipeline';
import { WriteSession } from '../pipeline/write-step';
import { newResourceId } from '../ids';
import type { FhirContext, FhirResponse } from '../request';
import { conditionalUpdateId, withId } from '../update';
import { describeEntry, parseEntryRequest, type EntryRequest, type SharedHeaders } from './entry-request';
import { prevalidateEntries } from './entry-prevalidation';
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
  // Malformed entries are refused before the store is touched; so are entries without a route.
  const entries = (bundle.entry ?? []).map((entry, index) => parseEntryRequest(entry, index, context.baseUrl, shared, context.caller));
  const calls = new Map<EntryRequest, HookCall>();
  for (const entry of entries) {
    const { interaction } = await forEntry(entry, async () => matchRoute(entry.request));
    calls.set(entry, {
      request: entry.request,
      interaction,
      caller: context.caller,
      context: scopedContext(context, interaction, { entry: describeEntry(entry) }),
      entry: { bundleType: 'transaction', index: entry.index },
    });
  }
  const responses = new Map<EntryRequest, FhirResponse>();
  // Entries whose hooks ran `before` (a refusal included): each learns its outcome from `after`.
  const started: EntryRequest[] = [];
  let failure: unknown;
  let result: Bundle | undefined;
  try {
    // Every entry's hooks may refuse it before anything of the transaction is read or written.
    for (const entry of entries) {
      started.push(entry);
      await forEntry(entry, () => runBefore(calls.get(entry) as HookCall));
    }
    // Checked on the store's threads while the writer works on earlier requests (entry-prevalidation.ts).
    const checked = await prevalidateEntries(entries, context, true);
    result = await context.pipeline.dataStore.transaction((tx) => runEntries(entries, calls, responses, tx, checked));
  } catch (err) {
    failure = err;
  }
  // The hooks' `after` learns each entry's outcome once the transaction has committed or rolled back:
  // after a rollback, every entry failed with the transaction.
  for (const entry of started) {
    const call = calls.get(entry) as HookCall;
    const response = responses.get(entry);
    await runAfter(call, failure === undefined && response ? { response, resources: returnedResources(response) } : failed(failure));
  }
  if (failure !== undefined) {
    throw failure;
  }
  return result as Bundle;
}

/** Plans and runs the entries inside the store transaction `tx`, each on its own scoped view of it. */
async function runEntries(
  entries: EntryRequest[],
  calls: Map<EntryRequest, HookCall>,
  responses: Map<EntryRequest, FhirResponse>,
  tx: StoreOperations,
  context: FhirContext
): Promise<Bundle> {
  // The write rules' end-of-transaction checks run after the last entry, on the transaction's end state.
  const session = new WriteSession();
  const base = joinTransaction(tx);
  // By index: planning copies the entries.
  const contexts = entries.map((entry) =>
    scopedContext(context, (calls.get(entry) as HookCall).interaction, { base, entry: describeEntry(entry), session })
  );
  const contextOf = (entry: EntryRequest): FhirContext => contexts[entry.index];
  const planned: PlannedEntry[] = [];
  for (const entry of entries) {
    planned.push(await forEntry(entry, () => planEntry(entry, contextOf(entry))));
  }
  checkDistinctTargets(planned);
  const references = await resolveReferences(planned, contextOf);
  for (const entry of planned) {
    await forEntry(entry, async () =>
      rewriteReferences(entry.request.body, (reference, path) => mapReference(reference, path, entry, references), 'resource')
    );
  }
  const entryResponses: BundleEntry[] = new Array(planned.length);
  for (const phase of [0, 1, 2, 3]) {
    for (const entry of planned.filter((e) => e.phase === phase)) {
      const response = await forEntry(entry, () => execute(entry, contextOf(entry)));
      responses.set(entries[entry.index], response);
      entryResponses[entry.index] = entryFromResponse(response, entry.method, context.baseUrl);
    }
  }
  const byLabel = new Map(planned.map((entry) => [describeEntry(entry), entry]));
  await session.flush(tx, (err, label) => {
    const entry = label === undefined ? undefined : byLabel.get(label);
    return entry ? entryError(err, entry) : err;
  });
  return { resourceType: 'Bundle', type: 'transaction-response', entry: entryResponses };
}

/** Resolves what an entry writes, before anything is written. */
async function planEntry(entry: EntryRequest, context: FhirContext): Promise<PlannedEntry> {
  const tx = context.store;
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
      // Chosen already when the entries were checked off the writer's thread.
      request.assignedId ??= newResourceId();
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
async function resolveReferences(entries: PlannedEntry[], contextOf: (entry: EntryRequest) => FhirContext): Promise<Map<string, string>> {
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
        const context = contextOf(entry);
        const id = await forEntry(entry, () =>
          findSingleMatch(context.store, context, conditional.resourceType, conditional.criteria, 'Conditional reference')
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

async function execute(entry: PlannedEntry, context: FhirContext): Promise<FhirResponse> {
  if (entry.existing) {
    return existingResponse(entry.request, entry.existing, context);
  }
  if (entry.deleteMatches) {
    return deleteMatches(context.store, entry.request.path, entry.deleteMatches);
  }
  // Planning may have turned a conditional entry into one on an id: route it as it now is.
  const { route, params } = matchRoute(entry.request);
  return route.handler(entry.request, params, context);
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
