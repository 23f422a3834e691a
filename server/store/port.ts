// The storage port: the one interface every adapter (SQLite, MongoDB) implements. Nothing outside
// server/store/ knows which adapter runs. Every write is atomic; `transaction` groups several.
import type { ValidationAnswer, ValidationRequest } from '../validation/offloaded-validation';
import type { Resource } from '@medplum/fhirtypes';
import type { AuthStore } from './auth-port';
import type { CohortQuery, CohortRow } from './cohort-port';
import type { ResultRestriction, SearchPlan } from '../search/plan';
import type { IndexEntries } from '../search/indexing/types';

export type { ResourceIndexer } from '../search/indexing/types';
import type { PlannedIndex } from '../search/indexing/planned-extraction';

/** One stored version of a resource; a delete is a version too (a tombstone without content). */
export interface ResourceVersion<T extends Resource = Resource> {
  resourceType: string;
  id: string;
  versionId: string;
  /** ISO instant with milliseconds, as in meta.lastUpdated. */
  lastUpdated: string;
  deleted: boolean;
  /** The resource with meta.versionId and meta.lastUpdated set; absent for a delete. */
  resource?: T;
}

/**
 * Who wrote a version, kept by the store beside it (never in the resource's meta, so that a read returns
 * exactly what was written). See docs/audit.md, "Authors and Provenance".
 */
export interface VersionAuthor {
  /** 'user', 'client', 'anonymous' (security off) or 'server' (start-up seed, bulk load). */
  kind: string;
  /** The person's fhirUser: 'Practitioner/123'. */
  user?: string;
  /** The OAuth client_id of the application. */
  clientId?: string;
  /** The organizations the caller acted for: 'Organization/clinic-12'. */
  organizations?: string[];
}

export interface CreateOptions {
  /** Recorded beside the version; absent: an unknown author (stored as none). */
  author?: VersionAuthor;
  /**
   * Index entries extracted ahead of the write, off the writer's thread (search/indexing/planned-extraction.ts).
   * An adapter may take them for a resource whose plannedText is `index.text` and extract the rest from
   * the stored version; it ignores them otherwise, as an adapter that extracts everything itself does.
   */
  index?: PlannedIndex;
}

export interface WriteOptions extends CreateOptions {
  /** The versionId the caller expects to be current (If-Match); checked inside the write's transaction. */
  expectedVersionId?: string;
}

/**
 * One stored version as the tamper-evidence chains see it (server/audit/chain-hash.ts): the exact stored
 * text and the hashes kept beside it. Hashes are absent for versions written before they were kept.
 */
export interface ChainRecord {
  /** The version's place in the global write order, opaque to everyone but its adapter. */
  position: string;
  resourceType: string;
  id: string;
  versionId: number;
  /** ms since epoch. */
  lastUpdated: number;
  deleted: boolean;
  /** The stored JSON text; null for a tombstone (and when the query asked for hashes only). */
  content: string | null;
  /** The stored author as JSON text (see VersionAuthor); null when none was recorded. */
  author: string | null;
  hash: string | null;
  /** The hash of the previous version of the same resource; undefined when that version is missing. */
  previousHash: string | null | undefined;
  /** AuditEvents only: the link of the global AuditEvent chain. */
  auditHash: string | null;
  /** AuditEvents only: the link of the AuditEvent written just before (null for the first, or unchained). */
  previousAuditHash: string | null;
}

/**
 * Where archived AuditEvents end (docs/audit.md, "Retention"): the last one removed from the store and its
 * link of the AuditEvent chain, to which the first event left (or the next one written) is chained.
 */
export interface AuditArchiveBoundary {
  /** The last archived event's position in the write order. */
  position: string;
  /** Its AuditEvent chain link. */
  auditHash: string;
  /** How many versions the archive holds: the purge removes exactly as many, or nothing (it fails). */
  events: number;
}

export interface ChainQuery {
  resourceType?: string;
  id?: string;
  /** Only versions written at or after this instant (ms since epoch). */
  from?: number;
  /** Only versions written before this instant (ms since epoch). */
  to?: number;
  /** Only versions after this position (a page's last), in write order. */
  after?: string;
  /** Only versions at or before this position (an anchor's). */
  upTo?: string;
  /** Leave content and author out (null): what a digest over the hashes needs. */
  hashesOnly?: boolean;
  limit: number;
}

export type UpdateResult = {
  version: ResourceVersion;
  /** 'created' when there was no current version (new id, or the resource had been deleted). */
  outcome: 'created' | 'updated' | 'unchanged';
};

export type DeleteResult = {
  /** False when the id never existed. */
  existed: boolean;
  /** The tombstone written; undefined when there was nothing to delete (never existed, or already deleted). */
  version?: ResourceVersion;
};

export interface HistoryQuery {
  /** Absent for system history. */
  resourceType?: string;
  /** Absent for type and system history. */
  id?: string;
  /** Only versions written at or after this instant (ms since epoch). */
  since?: number;
  /** Only versions that were current at some point in [low, high) (ms since epoch). */
  at?: { low: number; high: number };
  count: number;
  /**
   * Largest page in bytes of its versions' stored JSON: a page that would be larger ends early, with a
   * next cursor, after at least one version. Absent: no limit.
   */
  maxBytes?: number;
  /** Opaque cursor from a previous page's `nextCursor`. */
  cursor?: string;
  /**
   * What the caller may see: a version is listed when its resource's current version is visible under
   * the restriction (so the versions of a deleted resource are not). Absent: no restriction.
   */
  restriction?: ResultRestriction;
}

export interface HistoryPage {
  /** Newest first. */
  versions: ResourceVersion[];
  nextCursor?: string;
}

export interface SearchPage {
  resources: ResourceVersion[];
  /** Resources added by _include and _revinclude (not matches). */
  included: ResourceVersion[];
  /** Present when the plan asked for a total. */
  total?: number;
  nextCursor?: string;
  /** Cursor of the page before this one, when the search was reached by a cursor. */
  previousCursor?: string;
}

/** A resource by type and id. */
export interface ResourceRef {
  resourceType: string;
  id: string;
}

export interface ReferrersQuery {
  /** At most this many referrers are returned. */
  limit: number;
  /** Referrers of these types are not looked for. */
  excludeTypes?: readonly string[];
}

/** Reads and writes, usable alone (each call atomic) or inside `transaction` (all-or-nothing). */
export interface StoreOperations {
  /** Stores version 1 of a resource whose id the caller has set; 409 if the id is taken. */
  create<T extends Resource>(resource: T, options?: CreateOptions): Promise<ResourceVersion<T>>;
  /** The current version, including a delete tombstone; undefined if the id never existed. */
  readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined>;
  readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined>;
  /** Writes a new version (or version 1 for a new id). Content equal to the current version writes nothing. */
  update<T extends Resource>(resource: T, options?: WriteOptions): Promise<UpdateResult>;
  delete(resourceType: string, id: string, options?: WriteOptions): Promise<DeleteResult>;
  history(query: HistoryQuery): Promise<HistoryPage>;
  search(plan: SearchPlan): Promise<SearchPage>;
  /**
   * Current resources (other than the target itself) whose indexed references, those of reference
   * search parameters, point at `target`: what deleting it would leave dangling.
   */
  referrers(target: ResourceRef, query: ReferrersQuery): Promise<ResourceRef[]>;
  /** Stored versions with their hashes, in write order (oldest first), for $verify-history and anchors. */
  chainRecords(query: ChainQuery): Promise<ChainRecord[]>;
  /** The position of the newest version written ('0' when there is none). */
  newestPosition(): Promise<string>;
  /**
   * Per patient of a population, counts and latest values over the search indexes (cohort-port.ts), for
   * the management figures. Unrestricted: the caller decides who may ask. Optional for other adapters.
   */
  cohort?(query: CohortQuery): Promise<CohortRow[]>;
  /**
   * Stores new AuditEvents (version 1 each, chained in the order given) as `update` of each in turn
   * would, in fewer statements: the audit writer's batches (server/audit/audit-trail.ts). Optional: a
   * store without it is given each event's `update`.
   */
  appendAuditEvents?(events: readonly (Resource | PreparedAuditEvent)[]): Promise<void>;
}

/**
 * An AuditEvent as the audit writer thread receives it (server/audit/prepared-event.ts): its JSON text as
 * JSON.stringify wrote it (the id right after resourceType, no meta) and its search entries, built where
 * the event was built, so that the store neither parses nor indexes it.
 */
export interface PreparedAuditEvent {
  id: string;
  eventText: string;
  entries: AuditEventEntries;
}

/** The entries an AuditEvent's nine indexed parameters yield (the other kinds are always empty). */
export type AuditEventEntries = Pick<IndexEntries, 'tokens' | 'dates' | 'references'>;

/** Operations that can also group work into one all-or-nothing unit. */
export interface TransactionalOperations extends StoreOperations {
  /** Runs `work` with operations that commit together or not at all; a thrown error rolls back. */
  transaction<T>(work: (tx: StoreOperations) => Promise<T>): Promise<T>;
}

export interface ResourceStore extends TransactionalOperations {
  close(): Promise<void>;
  /**
   * A marker of the writes to resources of `resourceTypes`: it differs from every earlier answer once a
   * version of one of those types (create, update, delete, in a transaction or not) has been committed by
   * any process using the same store, this one included. Compared for equality only, never ordered or
   * parsed; it may also change without such a write (a spurious change only costs the caller a cache
   * rebuild). Called at the start of every request, so it must be cheap: one indexed lookup, no scan.
   * Processes that share a store keep their caches of stored content right with it.
   */
  changeMarker(resourceTypes: readonly string[]): Promise<string>;
  /**
   * A reading that stays the same until anything is committed to the store (resources, audit events or
   * the authorization server's state) by any process or connection, this one included; undefined when
   * the adapter cannot tell cheaply. Equal readings at two moments mean nothing was committed between
   * them, so an answer read after the first is still the answer at the second: a request takes one
   * reading and both the change marker's watch and the token revocation check reuse their last answer
   * when it equals the one they were read under (docs/performance.md, main7). Optional.
   */
  commitReading?(): number | undefined;
  /**
   * Runs a bulk load (writes through this store, no one else using it meanwhile) in the way the adapter
   * loads fastest, with every index complete when it returns. Optional: a plain run is always correct.
   */
  bulkLoad?<T>(work: () => Promise<T>): Promise<T>;
  /**
   * The authorization server's state (server/store/auth-port.ts), kept by the same adapter so that
   * revocations and rate limits hold across every process sharing the store.
   */
  authStore(): AuthStore;
  /**
   * Removes for good every stored version of the AuditEvents at or before `boundary.position` (an
   * archive's, server/audit/audit-archive.ts), with their current rows and index entries: a purge of the
   * audit rows, never a FHIR delete. Records the boundary, so that the AuditEvent chain goes on from it.
   * Returns the number of versions removed. Optional: without it, events cannot be archived.
   */
  purgeAuditEvents?(boundary: AuditArchiveBoundary): Promise<number>;
  /**
   * Runs a write's checks on resources on a thread with its own read connection, beside the writer
   * (server/validation/offloaded-validation.ts). Optional; undefined when the adapter has no such thread.
   */
  validateOffThread?(request: ValidationRequest): Promise<ValidationAnswer | undefined>;
}
