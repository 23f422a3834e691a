// Write rules: checks that run inside the store transaction of every write (create, update, patch,
// delete, conditional writes, every batch and transaction entry, the bulk loader), where they may read
// other resources through the same transaction and refuse the write. The model is HAPI FHIR's
// STORAGE_PRESTORAGE_RESOURCE_* pointcuts. Checks that need only the resource (the base schema,
// profiles) run before the transaction instead, so that they cost the writer nothing.
import type { Resource } from '@medplum/fhirtypes';
import { FhirError, issue, type IssueCode } from '../../outcomes';
import type { ResourceVersion, StoreOperations } from '../../store/port';
import type { Caller } from './caller';
import type { InteractionInfo } from './interaction';
import type { EffectOrigin, WriteEffect } from './write-effects';

export type WriteAction = 'create' | 'update' | 'delete';

/** One write about to be made, as a rule sees it. */
export interface PendingWrite {
  action: WriteAction;
  resourceType: string;
  id: string;
  /** The resource as it will be stored; absent for a delete. */
  resource?: Resource;
  /** The current version before this write (a delete's tombstone included), read once on demand. */
  previous(): Promise<ResourceVersion | undefined>;
  caller: Caller;
  /** The interaction that writes: for a Bundle entry, the entry's own. */
  interaction: InteractionInfo;
  /** Where the write comes from, for messages: 'Bundle.entry[3]'; absent for a single request. */
  entry?: string;
  /**
   * The same object for every write of one store transaction (a transaction Bundle's entries and their
   * effects included): a rule keys what it gathers across the transaction's writes on it (a WeakMap).
   */
  transaction: object;
  /**
   * Runs `check` once every write of the transaction is made, still inside it: after the write itself
   * for a single request, after the last entry for a transaction Bundle, so that what a rule checks is
   * the transaction's end state (an entry may refer to one that a later entry creates).
   */
  atEnd(check: (tx: StoreOperations) => Promise<void>): void;
  /**
   * Writes the rule's own consequences of this write (write-effects.ts): `work` runs at the end of the
   * transaction like an `atEnd` check, on operations whose writes pass every write rule in turn.
   */
  afterwards(work: WriteEffect): void;
  /** Set when this write is itself a consequence written by a rule: which rule, and for which write. */
  effectOf?: EffectOrigin;
}

export interface WriteRule {
  /** The rule's name, as FHIR_RULES_OFF names it and as refusals cite it. */
  name: string;
  check(write: PendingWrite, tx: StoreOperations): Promise<void>;
}

/**
 * A write refused by a rule: 422 (business-rule) by default, 409 for a conflict with stored data, 403
 * for a write nobody may make; the rule is named in the issue's diagnostics and the element in its
 * expression.
 */
export function ruleViolation(
  rule: string,
  text: string,
  expression?: string,
  status: 403 | 409 | 422 = 422,
  code: IssueCode = status === 409 ? 'conflict' : status === 403 ? 'forbidden' : 'business-rule'
): FhirError {
  return new FhirError(status, [{ ...issue(code, text, expression), diagnostics: `write rule: ${rule}` }]);
}
