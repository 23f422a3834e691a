// What a workload is: a named request mix at a fixed concurrency, prepared (and probed) against the
// server under test before it is measured.
import type { FhirClient } from '../fhir-client';
import type { BenchRequest } from '../http-load';
import type { UserGrant } from '../server-process';

export interface WorkloadContext {
  client: FhirClient;
  /** Patients loaded so far (indices 0..patients-1). */
  patients: number;
  seed: number;
  /** Tokens of restricted callers, when the benchmark started the server with security on. */
  userToken?: (grant: UserGrant) => string;
}

export type Prepared =
  | {
      nextRequest: () => BenchRequest;
      resourcesPerRequest?: number;
      /** A mixed workload's kinds of query in the order to report them; those left out of the mix say why. */
      kinds?: { kind: string; unsupported?: string }[];
    }
  | { unsupported: string };

export interface Workload {
  name: string;
  group: 'create' | 'ingest' | 'read' | 'search' | 'history' | 'terminology';
  connections: number;
  /** Writes data: such workloads run after the read-only ones at each size. */
  writes: boolean;
  prepare(context: WorkloadContext): Promise<Prepared>;
}

/** Rotates through values so that consecutive requests hit different resources. */
export function rotate<T>(values: T[]): () => T {
  let i = 0;
  return () => values[i++ % values.length];
}
