// The one write step: every write made through the wrapped store runs the write rules first, inside the
// write's store transaction, and the rules' end-of-transaction checks before it commits; the store
// records the caller as the version's author (docs/audit.md). A refusal
// throws, which rolls the transaction back: nothing of a refused write (or of its transaction Bundle)
// is stored.
import type { Resource } from '@medplum/fhirtypes';
import { authorOf } from '../../audit/version-author';
import { delegating } from '../../store/delegating-operations';
import type { CreateOptions, DeleteResult, ResourceVersion, StoreOperations, TransactionalOperations, UpdateResult } from '../../store/port';
import type { Caller } from './caller';
import type { InteractionInfo } from './interaction';
import type { EffectOrigin, WriteEffect } from './write-effects';
import type { PendingWrite, WriteAction, WriteRule } from './write-rules';

/** End-of-transaction checks collected while a transaction's writes are made. */
export class WriteSession {
  private readonly checks: { check: (tx: StoreOperations) => Promise<void>; entry?: string }[] = [];

  /** `entry`: the Bundle entry whose write asked for the check, to name it if the check fails. */
  defer(check: (tx: StoreOperations) => Promise<void>, entry?: string): void {
    this.checks.push({ check, entry });
  }

  /** Runs the collected checks (and any they add) in order; `describe` may reword a failure for its entry. */
  async flush(tx: StoreOperations, describe: (err: unknown, entry: string | undefined) => unknown = (err) => err): Promise<void> {
    for (let i = 0; i < this.checks.length; i++) {
      const { check, entry } = this.checks[i];
      try {
        await check(tx);
      } catch (err) {
        throw describe(err, entry);
      }
    }
    this.checks.length = 0;
  }
}

export interface WriteScope {
  rules: readonly WriteRule[];
  caller: Caller;
  interaction: InteractionInfo;
  /** 'Bundle.entry[3]' for an entry's writes. */
  entry?: string;
  /**
   * A transaction Bundle shares one session across its entries and flushes it after the last; without
   * one, each transaction opened through the wrapped store flushes its own before it commits.
   */
  session?: WriteSession;
  /** Set for the writes of a rule's effects (write-effects.ts). */
  effectOf?: EffectOrigin;
}

export function withWriteRules(store: TransactionalOperations, scope: WriteScope): TransactionalOperations {
  const transaction = <T>(work: (tx: StoreOperations) => Promise<T>): Promise<T> =>
    store.transaction(async (tx) => {
      const session = scope.session ?? new WriteSession();
      const result = await work(guarded(tx, scope, session));
      if (!scope.session) {
        await session.flush(tx);
      }
      return result;
    });
  return {
    ...delegating(store, {
      create: (resource, options) => transaction((tx) => tx.create(resource, options)),
      update: (resource, options) => transaction((tx) => tx.update(resource, options)),
      delete: (resourceType, id, options) => transaction((tx) => tx.delete(resourceType, id, options)),
    }),
    transaction,
  };
}

/** The operations of an open transaction, with the rules run before each write. */
function guarded(tx: StoreOperations, scope: WriteScope, session: WriteSession): StoreOperations {
  const check = async (action: WriteAction, resourceType: string, id: string, resource?: Resource): Promise<void> => {
    let previous: Promise<ResourceVersion | undefined> | undefined;
    const write: PendingWrite = {
      action,
      resourceType,
      id,
      resource,
      previous: () => (previous ??= tx.readCurrent(resourceType, id)),
      caller: scope.caller,
      interaction: scope.interaction,
      entry: scope.entry,
      transaction: session,
      atEnd: (deferred) => session.defer(deferred, scope.entry),
      afterwards: () => undefined,
      ...(scope.effectOf ? { effectOf: scope.effectOf } : {}),
    };
    for (const rule of scope.rules) {
      // Effects are written through the rules too, marked with the rule that asked for them.
      const effectOf: EffectOrigin = { rule: rule.name, resourceType, id };
      const afterwards = (work: WriteEffect): void => session.defer((end) => work(guarded(end, { ...scope, effectOf }, session)), scope.entry);
      await rule.check({ ...write, afterwards }, tx);
    }
  };
  const author = authorOf(scope.caller);
  return delegating(tx, {
    create: async <T extends Resource>(resource: T, options?: CreateOptions): Promise<ResourceVersion<T>> => {
      await check('create', resource.resourceType, resource.id as string, resource);
      return tx.create(resource, { ...options, author });
    },
    update: async (resource, options): Promise<UpdateResult> => {
      await check('update', resource.resourceType, resource.id as string, resource);
      return tx.update(resource, { ...options, author });
    },
    delete: async (resourceType, id, options): Promise<DeleteResult> => {
      await check('delete', resourceType, id);
      return tx.delete(resourceType, id, { ...options, author });
    },
  });
}
