// Hooks at dispatch: named points every request passes, and every batch and transaction entry with it
// (the model is HAPI FHIR's SERVER_INCOMING_REQUEST_PRE_HANDLED and its outgoing-response pointcuts).
// `before` runs once the route is known and may refuse by throwing a FhirError; `after` sees how the
// request ended, the response or the error, and every resource returned, _include'd ones too.
import type { Resource } from '@medplum/fhirtypes';
import type { FhirError } from '../../outcomes';
import type { FhirContext, FhirRequest, FhirResponse } from '../request';
import type { Caller } from './caller';
import type { InteractionInfo } from './interaction';

/** Where a Bundle entry sits, for hooks that treat entries apart from their Bundle. */
export interface EntryPosition {
  bundleType: 'batch' | 'transaction';
  index: number;
}

export interface HookCall {
  request: FhirRequest;
  interaction: InteractionInfo;
  caller: Caller;
  /** The context the interaction runs in (its store is the caller's view of the data). */
  context: FhirContext;
  /** Set for a Bundle's entry. */
  entry?: EntryPosition;
}

export interface HookResult {
  /** Present when the request succeeded. */
  response?: FhirResponse;
  /** Present when it failed, a hook's refusal included. */
  error?: FhirError;
  /** Every resource the response returns (a Bundle's entries, _include'd resources too); empty on error. */
  resources: Resource[];
}

export interface RequestHook {
  /** Names the hook in logs and errors. */
  name: string;
  /** Throw a FhirError to refuse the request; nothing has run yet. */
  before?(call: HookCall): Promise<void> | void;
  /**
   * Sees the outcome. Throwing a FhirError replaces a successful response with that error (nothing is
   * undone: writes are committed by then), so that a last check can keep a result from leaving.
   */
  after?(call: HookCall, result: HookResult): Promise<void> | void;
}

/** The resources a response carries: the body, or a Bundle's entries (nested Bundles' entries too). */
export function returnedResources(response: FhirResponse | undefined): Resource[] {
  const body = response?.body;
  if (!body) {
    return [];
  }
  if (body.resourceType !== 'Bundle') {
    return body.resourceType === 'OperationOutcome' ? [] : [body];
  }
  const found: Resource[] = [];
  for (const entry of body.entry ?? []) {
    if (!entry.resource) continue;
    if (entry.resource.resourceType === 'Bundle') {
      found.push(...returnedResources({ status: 200, body: entry.resource }));
    } else if (entry.resource.resourceType !== 'OperationOutcome' || entry.search?.mode !== 'outcome') {
      found.push(entry.resource);
    }
  }
  return found;
}
