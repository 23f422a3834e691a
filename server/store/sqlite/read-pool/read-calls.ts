// What the server's thread and a read thread (read-worker.ts) say to each other: which store reads cross,
// the messages, and how results and errors survive the crossing. Everything sent is structured-cloned
// (https://nodejs.org/api/worker_threads.html#portpostmessagevalue-transferlist), which keeps plain data
// only: versions travel as their stored JSON text, parsed here on first use, and a typed FhirError
// travels as its status and issues and is built again, so that a bad cursor is still a 400.
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError } from '../../../outcomes';
import type { RegistryDefinition } from '../../../search/indexing/registry';
import type { ResourceVersion, StoreOperations } from '../../port';
import { lazyVersion, type StoredTextVersion } from '../sqlite-operations';
import type { validateCall } from './validate-calls';

/**
 * The reads a thread of the pool runs: those whose cost can grow with the data. Reads by id stay on the
 * server's thread (docs/performance.md, "Concurrency": crossing costs more than the read itself).
 */
export const pooledReads = ['search', 'history', 'referrers', 'chainRecords', 'cohort'] as const;
export type PooledRead = (typeof pooledReads)[number];

type ReadMethod<M extends PooledRead> = NonNullable<StoreOperations[M]>;
export type ReadArgs<M extends PooledRead> = Parameters<ReadMethod<M>>;
export type ReadResult<M extends PooledRead> = Awaited<ReturnType<ReadMethod<M>>>;

/** Options of a read thread, given as its workerData. */
export interface ReadThreadData {
  file: string;
  busyTimeoutMs: number;
  cacheMiB: number;
  /** The store's indexer's parameters, when it takes index entries extracted on the validating thread. */
  indexing?: RegistryDefinition;
  /** A compiled module whose `setupReadConnection(db, data)` runs on each thread's connection (tests). */
  setup?: ReadThreadSetup;
}

/**
 * A module each read thread loads after opening its connection, to register SQL functions on it: the
 * tests use one to hold a search inside SQLite until they let it go. `data` is structured-cloned (a
 * SharedArrayBuffer is shared).
 */
export interface ReadThreadSetup {
  module: string;
  data?: unknown;
}

export type ReadRequest = { id: number; method: PooledRead | typeof validateCall; args: unknown[] } | { close: true };

/** An error as it crosses: a FhirError's status, issues and headers, or any other error's name and message. */
export type WireError =
  | { kind: 'fhir'; status: number; issues: OperationOutcomeIssue[]; headers: Record<string, string> }
  | { kind: 'other'; name: string; message: string; code?: string };

export type ReadReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: WireError };

export function toWireError(err: unknown): WireError {
  if (err instanceof FhirError) {
    return { kind: 'fhir', status: err.status, issues: err.outcome.issue ?? [], headers: err.headers };
  }
  const { name, message, code } = err instanceof Error ? (err as Error & { code?: unknown }) : { name: 'Error', message: String(err), code: undefined };
  return { kind: 'other', name, message, ...(typeof code === 'string' ? { code } : {}) };
}

export function fromWireError(wire: WireError): Error {
  if (wire.kind === 'fhir') {
    return new FhirError(wire.status, wire.issues, wire.headers);
  }
  const err = new Error(wire.message) as Error & { code?: string };
  err.name = wire.name;
  if (wire.code) {
    err.code = wire.code;
  }
  return err;
}

/** The version as it arrived, its resource parsed from its stored text when first used (lazyVersion). */
function revive(version: StoredTextVersion): ResourceVersion {
  const { storedText, ...fields } = version;
  return lazyVersion(fields, storedText);
}

/** Per read, how its result is made whole on arrival. */
const arrivals: { [M in PooledRead]: (value: ReadResult<M>) => ReadResult<M> } = {
  search: (page) => ({ ...page, resources: page.resources.map(revive), included: page.included.map(revive) }),
  history: (page) => ({ ...page, versions: page.versions.map(revive) }),
  referrers: (refs) => refs,
  chainRecords: (records) => records,
  cohort: (rows) => rows,
};

export function arrived<M extends PooledRead>(method: M, value: unknown): ReadResult<M> {
  return arrivals[method](value as ReadResult<M>);
}
