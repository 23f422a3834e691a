// The plain request and response the FHIR core works with. The core never sees express, so batch
// entries, tests and any future transport build these objects directly.
import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { RequestLimits } from '../config';
import type { SearchParameterRegistry } from '../search/indexing/registry';
import type { ResourceVersion, TransactionalOperations } from '../store/port';
import type { ResourceValidator } from '../validation/resource-validator';
import type { TerminologyService } from '../terminology/terminology-service';

export interface FhirRequest {
  /** Upper-case HTTP method; HEAD is treated as GET. */
  method: string;
  /** The path below the FHIR base, without leading or trailing slash: 'Patient/123/_history/2'. */
  path: string;
  query: URLSearchParams;
  /** Header values by lower-case name. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, if there was one. */
  body?: unknown;
  /**
   * The id a create must use. Only a transaction Bundle sets it: it assigns ids before writing, so that
   * references between its entries can be rewritten to them.
   */
  assignedId?: string;
}

export interface FhirResponse {
  status: number;
  body?: Resource;
  headers?: Record<string, string>;
  /** The version read or written, when there is one: a Bundle entry's response reports it. */
  version?: ResourceVersion;
}

/** What an interaction may use besides its request. */
export interface FhirContext {
  store: TransactionalOperations;
  /** Public base URL without trailing slash. */
  baseUrl: string;
  logger: Logger;
  /** The search parameters known to the server. */
  registry: SearchParameterRegistry;
  settings: InteractionSettings;
  /** Expand, lookup, validate-code, subsumes and translate over the store's and the base R4 terminology. */
  terminology: TerminologyService;
  /** Profile validation (meta.profile, required profiles) of writes and of $validate. */
  validator: ResourceValidator;
}

/** Configured limits and choices the interactions follow (see ServerConfig). */
export interface InteractionSettings {
  maxBundleEntries: number;
  conditionalDeleteMultiple: boolean;
  limits: RequestLimits;
}

/** The parts of a FHIR URL path an interaction works on. */
export interface RouteParams {
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** For compartment search, Patient/123/[searchType]: the type searched in the compartment. */
  searchType?: string;
}

export type Interaction = (request: FhirRequest, params: RouteParams, context: FhirContext) => Promise<FhirResponse>;
