// The plain request and response the FHIR core works with. The core never sees express, so batch
// entries, tests and any future transport build these objects directly.
import type { PrevalidatedWrites, ValidationPool } from '../validation/prevalidated-writes';
import type { Resource } from '@medplum/fhirtypes';
import type { Logger } from 'pino';
import type { SigningKeyRing } from '../auth/signing-keys';
import type { RequestLimits } from '../config';
import type { SearchParameterRegistry } from '../search/indexing/registry';
import type { ResourceVersion, TransactionalOperations } from '../store/port';
import type { ResourceValidator } from '../validation/resource-validator';
import type { TerminologyService } from '../terminology/terminology-service';
import type { Caller } from './pipeline/caller';
import type { RequestPipeline } from './pipeline/pipeline';

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
  /** Who is calling; a Bundle's entries carry their Bundle's caller. */
  caller: Caller;
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
  /**
   * The body already serialized as compact JSON (a cached document, a resource's stored text, a search
   * page in parts whose concatenation is the text), sent as is unless _pretty asks otherwise.
   */
  serialized?: string | readonly string[];
}

/** What an interaction may use besides its request. */
export interface FhirContext {
  /**
   * The store as the current interaction sees it: the caller's result restriction on every query, the
   * write rules inside every write (server/fhir/pipeline/pipeline.ts scopes it per interaction).
   */
  store: TransactionalOperations;
  /** Who is calling. */
  caller: Caller;
  /** The hooks, write rules and restriction this request runs through, and the store below them. */
  pipeline: RequestPipeline;
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
  /** The server's signing keys, which sign and check history anchors (server/audit); absent in some tests. */
  signingKeys?: SigningKeyRing;
  /** Validation on the store's threads, for a Bundle's entries; absent when the store has none. */
  validationPool?: ValidationPool;
  /** The verdicts reached off the writer's thread for this request's writes (server/validation/prevalidated-writes.ts). */
  prevalidated?: PrevalidatedWrites;
}

/** Configured limits and choices the interactions follow (see ServerConfig). */
export interface InteractionSettings {
  maxBundleEntries: number;
  conditionalDeleteMultiple: boolean;
  /** Security is on: the CapabilityStatement names SMART on FHIR and its endpoints (rest.security). */
  smartSecurity?: boolean;
  /** Whether `_cascade=delete` is allowed (FHIR_CASCADE_DELETE). */
  cascadeDelete?: boolean;
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
