// The request pipeline a FHIR core is built with, and the per-request scoping of the store: each
// interaction (each Bundle entry too) works on a store that runs the write rules inside its writes'
// transactions and carries the caller's result restriction into every query. See docs/pipeline.md.
import type { ResultRestriction } from '../../search/plan';
import type { TransactionalOperations } from '../../store/port';
import type { FhirContext } from '../request';
import type { Caller } from './caller';
import type { RequestHook } from './hooks';
import type { InteractionInfo } from './interaction';
import { withRestriction } from './restricted-store';
import type { VisibilityVerdicts } from './verdict-cache';
import { withWriteRules, type WriteSession } from './write-step';
import type { WriteRule } from './write-rules';

/** What a FHIR core is built with: hooks at dispatch, rules inside writes, restrictions inside reads. */
export interface Pipeline {
  hooks: readonly RequestHook[];
  writeRules: readonly WriteRule[];
  /** The resources a caller may see; undefined: all of them. */
  restrict?: (caller: Caller) => ResultRestriction | undefined;
}

/** The pipeline as one request runs it. */
export interface RequestPipeline {
  hooks: readonly RequestHook[];
  writeRules: readonly WriteRule[];
  /** The caller's restriction, computed once per request. */
  restriction?: ResultRestriction;
  /** The store below the scoping: what an interaction's store is built on. */
  dataStore: TransactionalOperations;
  /** Visibility verdicts kept across requests, for the data store (verdict-cache.ts). */
  verdicts?: VisibilityVerdicts;
}

export interface ScopeOptions {
  /** The store to build on instead of the request's data store (an open transaction's operations). */
  base?: TransactionalOperations;
  /** 'Bundle.entry[3]', for a Bundle entry's writes. */
  entry?: string;
  /** A transaction Bundle's shared end-of-transaction checks. */
  session?: WriteSession;
}

/** The context an interaction runs in: its store is the caller's view, with the write rules. */
export function scopedContext(context: FhirContext, interaction: InteractionInfo, options: ScopeOptions = {}): FhirContext {
  const { pipeline } = context;
  const guarded = withWriteRules(options.base ?? pipeline.dataStore, {
    rules: pipeline.writeRules,
    caller: context.caller,
    interaction,
    entry: options.entry,
    session: options.session,
  });
  // Verdicts are reused across requests only outside a transaction (verdict-cache.ts).
  return { ...context, store: withRestriction(guarded, pipeline.restriction, options.base ? undefined : pipeline.verdicts) };
}
