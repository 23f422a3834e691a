// The store operations over SQLite connections. Writes assume the caller (SqliteStore) has opened a
// write transaction; reads use whichever connection they are given, so that inside a transaction
// they see its own uncommitted writes.
import { stringifyKeepingNumbers } from '../../json/number-text';
import { lazyStoredResource, parseStoredResource } from '../../json/stored-text';
import type { Resource } from '@medplum/fhirtypes';
import type { SQLInputValue } from 'node:sqlite';
import { conflict } from '../../outcomes';
import type { SearchPlan } from '../../search/plan';
import { decodeCursor, encodeCursor, encodeSearchCursor } from '../cursor';
import { versionHash } from '../../audit/chain-hash';
import { authorText } from '../../audit/version-author';
import { auditEventOf, isPreparedEvent } from '../../audit/prepared-event';
import type {
  ChainQuery,
  ChainRecord,
  CreateOptions,
  DeleteResult,
  HistoryPage,
  HistoryQuery,
  PreparedAuditEvent,
  ResourceVersion,
  SearchPage,
  StoreOperations,
  UpdateResult,
  ResourceIndexer,
  ReferrersQuery,
  ResourceRef,
  WriteOptions,
} from '../port';
import type { CohortQuery, CohortRow } from '../cohort-port';
import { cohortRows } from './cohort-sql';
import { FilterCompiler } from './filter-sql';
import { withinBytes } from '../page-bytes';
import { checkExpectedVersion, sameContent, withMeta } from '../versioning';
import { findIncludedKeys } from './include-sql';
import { AuditEventTable, auditEventType, chainConditions, nextSeqSql } from './audit-event-table';
import { auditChainRows, auditHistory } from './audit-store-reads';
import { auditEventsNaming, searchAuditEvents } from './audit-search-sql';
import { deleteIndexRows, insertIndexRows, storedIndexEntries } from './index-writer';
import type { ParamIds } from './param-ids';
import { RowEstimates } from './row-estimates';
import { compileSearch } from './search-sql';
import type { StatementCache } from './statement-cache';
import type { VersionRow } from './version-row';

interface CurrentRow {
  key: number;
  seq: number;
  version_id: number;
  last_updated: number;
  deleted: number;
}

const versionColumns = 'v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content';

/** How long a type's resource count serves the search planner before it is counted again. */
const typeSizeMaxAgeMs = 30_000;

export class SqliteOperations implements StoreOperations {
  /** Recent counts of current resources per type: the planner needs the order of magnitude, not the figure. */
  private readonly typeSizes = new Map<string, { count: number; at: number }>();
  /** Recent counts of the planner's candidate filters (row-estimates.ts). */
  private readonly rowEstimates = new RowEstimates();
  /** AuditEvents are kept apart, in an append-only table (audit-event-table.ts). */
  private readonly audits: AuditEventTable;

  constructor(
    private readonly reads: StatementCache,
    private readonly writes: StatementCache,
    private readonly indexer: ResourceIndexer,
    private readonly paramIds: ParamIds,
    /**
     * 'text' on a read thread (read-pool/): versions carry their stored JSON, parsed once where they
     * arrive. 'lazy' for the server thread's reads outside a transaction: a read by id is answered with its
     * stored text and mostly nothing else reads the resource, so it is parsed only if something does
     * (lazy-resource.ts).
     */
    private readonly decoding: 'parse' | 'text' | 'lazy' = 'parse',
    /** When the AuditEvents' recent lookup entries are merged (audit-event-table.ts); its default unless given. */
    auditLookupMergeEntries?: number
  ) {
    this.audits = new AuditEventTable(reads, writes, indexer, paramIds, auditLookupMergeEntries);
  }

  async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<ResourceVersion<T>> {
    const id = resource.id as string;
    if (resource.resourceType === auditEventType && !this.audits.current(this.writes, id)) {
      return this.appendedEvent(this.audits.append(resource, options)) as ResourceVersion<T>;
    }
    if (this.current(this.writes, resource.resourceType, id) || resource.resourceType === auditEventType) {
      throw conflict(`${resource.resourceType}/${id} already exists`);
    }
    return this.insertVersion(resource, undefined, options) as ResourceVersion<T>;
  }

  async appendAuditEvents(events: readonly (Resource | PreparedAuditEvent)[]): Promise<void> {
    if (events.some((event) => !isPreparedEvent(event) && event.resourceType !== auditEventType)) {
      throw new Error('appendAuditEvents stores AuditEvents only');
    }
    // A batch with an id stored already (written again after an unacknowledged commit) goes one by one.
    if (!this.audits.appendAll(events)) {
      for (const event of events) {
        this.audits.append(auditEventOf(event));
      }
    }
  }

  async cohort(query: CohortQuery): Promise<CohortRow[]> {
    return cohortRows(this.reads, this.paramIds, query);
  }

  async readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    if (resourceType === auditEventType) {
      const event = this.audits.current(this.reads, id);
      return event && this.version(event);
    }
    const row = this.reads
      .get(
        `SELECT ${versionColumns} FROM resources c JOIN resource_versions v ON v.seq = c.seq
         WHERE c.resource_type = ? AND c.id = ?`
      )
      .get(resourceType, id) as VersionRow | undefined;
    return row && this.version(row);
  }

  async readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    const version = Number(versionId);
    if (!Number.isSafeInteger(version) || version < 1) {
      return undefined;
    }
    if (resourceType === auditEventType) {
      const event = this.audits.readVersion(id, version);
      return event && this.version(event);
    }
    const row = this.reads
      .get(`SELECT ${versionColumns} FROM resource_versions v WHERE resource_type = ? AND id = ? AND version_id = ?`)
      .get(resourceType, id, version) as VersionRow | undefined;
    return row && this.version(row);
  }

  async update<T extends Resource>(resource: T, options: WriteOptions = {}): Promise<UpdateResult> {
    const id = resource.id as string;
    if (resource.resourceType === auditEventType) {
      const appended = this.audits.append(resource, options);
      return { version: this.appendedEvent(appended), outcome: appended.outcome };
    }
    const current = this.current(this.writes, resource.resourceType, id);
    checkExpectedVersion(resource.resourceType, id, current && { version: current.version_id, deleted: current.deleted === 1 }, options);
    if (current && !current.deleted) {
      const row = this.writes.get(`SELECT ${versionColumns} FROM resource_versions v WHERE seq = ?`).get(current.seq);
      const stored = toVersion(row as unknown as VersionRow);
      if (sameContent(stored.resource as Resource, resource)) {
        return { version: stored, outcome: 'unchanged' };
      }
    }
    const version = this.insertVersion(resource, current, options);
    return { version, outcome: current && !current.deleted ? 'updated' : 'created' };
  }

  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<DeleteResult> {
    if (resourceType === auditEventType) {
      // Removed only by an archive's purge (audit-archive-sql.ts); the API refuses earlier (403).
      throw conflict('AuditEvents are never deleted; old ones are archived');
    }
    const current = this.current(this.writes, resourceType, id);
    checkExpectedVersion(resourceType, id, current && { version: current.version_id, deleted: current.deleted === 1 }, options);
    if (!current || current.deleted) {
      return { existed: current !== undefined };
    }
    return { existed: true, version: this.insertVersion({ resourceType, id } as Resource, current, options, true) };
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const where: string[] = [];
    const params: SQLInputValue[] = [];
    if (query.resourceType) {
      where.push('v.resource_type = ?');
      params.push(query.resourceType);
    }
    if (query.id) {
      where.push('v.id = ?');
      params.push(query.id);
    }
    if (query.since !== undefined) {
      where.push('v.last_updated >= ?');
      params.push(query.since);
    }
    if (query.at) {
      where.push('v.last_updated < ? AND (v.replaced_at IS NULL OR v.replaced_at > ?)');
      params.push(query.at.high, query.at.low);
    }
    if (query.cursor) {
      where.push('v.seq < ?');
      params.push(decodeCursor(query.cursor, 1)[0]);
    }
    if (query.restriction) {
      // A version is listed when its resource, as it is now, is visible to the caller.
      const paramId = (type: string, code: string): number | undefined => this.paramIds.lookup(this.reads, type, code);
      const visible = new FilterCompiler(paramId, query.restriction, query.id !== undefined).visibleAnyOf(query.resourceType ? [query.resourceType] : undefined, 'r');
      where.push(`EXISTS (SELECT 1 FROM resources r WHERE r.resource_type = v.resource_type AND r.id = v.id AND r.deleted = 0 AND ${visible.sql})`);
      params.push(...visible.params);
    }
    const sql =
      `SELECT ${versionColumns} FROM resource_versions v` +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      // One resource's versions: its own index, in version order (the same as write order for it).
      (query.id ? ' ORDER BY v.version_id DESC LIMIT ?' : ' ORDER BY v.seq DESC LIMIT ?');
    const paramId = (type: string, code: string): number | undefined => this.paramIds.lookup(this.reads, type, code);
    const rows = auditHistory(this.audits, paramId, query, this.reads.get(sql).all(...params, query.count + 1) as unknown as VersionRow[]);
    const page = withinBytes(rows.slice(0, query.count), query.maxBytes, (row) => row.content);
    const hasMore = rows.length > page.length;
    return {
      versions: page.map((row) => this.version(row)),
      // With _count=0 the page is empty: there is nothing to continue from.
      nextCursor: hasMore && page.length ? encodeCursor([page[page.length - 1].seq]) : undefined,
    };
  }

  /** The largest seq of a version of any of the types, as text ('0' when there is none). */
  newestSeq(resourceTypes: readonly string[]): string {
    if (!resourceTypes.length) {
      return '0';
    }
    const { seq } = this.reads.get(newestSeqSql(resourceTypes.length)).get(...resourceTypes) as { seq: number };
    return String(resourceTypes.includes(auditEventType) ? Math.max(seq, this.audits.newestSeq()) : seq);
  }

  private typeSize(resourceType: string): number {
    const now = Date.now();
    const known = this.typeSizes.get(resourceType);
    if (known && now - known.at < typeSizeMaxAgeMs) {
      return known.count;
    }
    const { n } = this.reads.get('SELECT count(*) AS n FROM resources WHERE resource_type = ? AND deleted = 0').get(resourceType) as { n: number };
    this.typeSizes.set(resourceType, { count: n, at: now });
    return n;
  }

  async search(plan: SearchPlan): Promise<SearchPage> {
    const paramId = (type: string, code: string): number | undefined => this.paramIds.lookup(this.reads, type, code);
    if (plan.resourceType === auditEventType) {
      const { rows, included, ...paging } = searchAuditEvents(this.reads, paramId, plan);
      return { resources: rows.map((row) => this.version(row)), included: included.map((row) => this.version(row)), ...paging };
    }
    const compiled = compileSearch(plan, paramId, {
      rows: (subquery, limit, bound) =>
        this.rowEstimates.rows(
          subquery,
          limit,
          () => {
            const row = this.reads.get(`SELECT count(*) AS n FROM (${subquery.sql} LIMIT ?)`).get(...subquery.params, limit) as { n: number };
            return row.n;
          },
          bound
        ),
      typeSize: (resourceType) => this.typeSize(resourceType),
    });
    const rows = this.reads.get(compiled.pageSql).all(...compiled.pageParams) as unknown as (VersionRow & {
      key: number;
    } & Record<string, SQLInputValue>)[];
    // A backward page was read in reverse order (nearest the cursor first): cut it, then put it back;
    // its "more" lies before it.
    const kept = withinBytes(rows.slice(0, plan.count), plan.maxBytes, (row) => row.content);
    const hasMore = rows.length > kept.length;
    const page = compiled.backward ? kept.reverse() : kept;
    const result: SearchPage = { resources: page.map((row) => this.version(row)), included: [] };
    if (page.length > 0) {
      const first = compiled.cursorValues(page[0]);
      const last = compiled.cursorValues(page[page.length - 1]);
      if (compiled.backward ? true : hasMore) {
        result.nextCursor = encodeSearchCursor({ backward: false, byKey: compiled.byKey, values: last });
      }
      if (compiled.backward ? hasMore : !!plan.cursor) {
        result.previousCursor = encodeSearchCursor({ backward: true, byKey: compiled.byKey, values: first });
      }
    }
    if (compiled.countSql) {
      const { total } = this.reads.get(compiled.countSql).get(...compiled.countParams) as { total: number };
      result.total = total;
    } else if (plan.total === 'auto' && !plan.cursor && !hasMore) {
      // The first page holds every match: the total is known for free.
      result.total = page.length;
    }
    if (page.length && (plan.include.length || plan.revInclude.length)) {
      const keyed = page.map((r) => ({ key: r.key, resourceType: r.resource_type, id: r.id }));
      const keys = findIncludedKeys(this.reads, paramId, keyed, plan.include, plan.revInclude, plan.restriction);
      if (keys.length) {
        const included = this.reads
          .get(
            `SELECT ${versionColumns} FROM resources c JOIN resource_versions v ON v.seq = c.seq
             WHERE c.key IN (SELECT value FROM json_each(?))`
          )
          .all(JSON.stringify(keys)) as unknown as VersionRow[];
        result.included = included.map((row) => this.version(row));
      }
      const events = auditEventsNaming(this.reads, paramId, keyed, plan.revInclude, plan.restriction);
      result.included.push(...events.map((row) => this.version(row)));
    }
    return result;
  }

  /**
   * Read through the lookup index one parameter at a time (one seek for each of the few hundred
   * parameters known), so that no index led by the target is kept for a delete's check alone: that one
   * cost every reference a write adds a page of its own (schema.ts, migration 13); this costs a delete's
   * check 0.1-0.2 ms at 10k resources.
   */
  async referrers(target: ResourceRef, query: ReferrersQuery): Promise<ResourceRef[]> {
    const rows = this.reads
      .get(
        `SELECT DISTINCT r.resource_type AS resourceType, r.id AS id
         FROM idx_reference ref INDEXED BY idx_reference_lookup JOIN resources r ON r.key = ref.key
         WHERE ref.param_id IN (SELECT param_id FROM search_params) AND ref.target_id = ? AND ref.target_type = ? AND r.deleted = 0
           AND NOT (r.resource_type = ? AND r.id = ?)
           AND r.resource_type NOT IN (SELECT value FROM json_each(?))
         LIMIT ?`
      )
      .all(target.id, target.resourceType, target.resourceType, target.id, JSON.stringify(query.excludeTypes ?? []), query.limit) as unknown as ResourceRef[];
    return rows.map((r) => ({ resourceType: r.resourceType, id: r.id }));
  }

  private current(cache: StatementCache, resourceType: string, id: string): CurrentRow | undefined {
    return cache
      .get('SELECT key, seq, version_id, last_updated, deleted FROM resources WHERE resource_type = ? AND id = ?')
      .get(resourceType, id) as CurrentRow | undefined;
  }

  async chainRecords(query: ChainQuery): Promise<ChainRecord[]> {
    const { where, params, content } = chainConditions(query, 'v');
    // The previous version's hash by the unique (type, id, version) index; a missing row is told apart
    // from a row without a hash by p.seq. AuditEvents' records, with their chain's links, come from their
    // own table (audit-event-table.ts), merged in write order.
    const sql = `SELECT v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, ${content}, v.hash, v.audit_hash,
        p.seq AS previous_seq, p.hash AS previous_hash, NULL AS previous_audit_hash
      FROM resource_versions v
      LEFT JOIN resource_versions p ON p.resource_type = v.resource_type AND p.id = v.id AND p.version_id = v.version_id - 1
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY v.seq LIMIT ?`;
    const stored = this.reads.get(sql).all(...params, query.limit) as unknown as (VersionRow & {
      author: string | null;
      hash: string | null;
      audit_hash: string | null;
      previous_seq: number | null;
      previous_hash: string | null;
      previous_audit_hash: string | null;
    })[];
    return auditChainRows(this.audits, query, stored).map((row) => ({
      position: String(row.seq),
      resourceType: row.resource_type,
      id: row.id,
      versionId: row.version_id,
      lastUpdated: row.last_updated,
      deleted: row.deleted === 1,
      content: row.content,
      author: row.author,
      hash: row.hash,
      previousHash: row.version_id === 1 ? null : row.previous_seq === null ? undefined : row.previous_hash,
      auditHash: row.audit_hash,
      previousAuditHash: row.previous_audit_hash ?? null,
    }));
  }

  async newestPosition(): Promise<string> {
    const { seq } = this.reads.get('SELECT coalesce(max(seq), 0) AS seq FROM resource_versions').get() as { seq: number };
    return String(Math.max(seq, this.audits.newestSeq()));
  }

  private appendedEvent({ row, resource }: { row: VersionRow; resource?: Resource }): ResourceVersion {
    return resource ? { ...versionFields(row), resource } : this.version(row);
  }

  private version(row: VersionRow): ResourceVersion {
    if (this.decoding === 'text') {
      return storedTextVersion(row);
    }
    return this.decoding === 'lazy' ? lazyVersion(versionFields(row), row.content) : toVersion(row);
  }

  /** Writes the next version after `previous` (or version 1), chained to it, and points the current index at it. */
  private insertVersion(resource: Resource, previous: CurrentRow | undefined, options: CreateOptions, deleted = false): ResourceVersion {
    const versionId = (previous?.version_id ?? 0) + 1;
    // lastUpdated never goes backwards for one resource, even if the clock does.
    const lastUpdated = Math.max(Date.now(), previous ? previous.last_updated + 1 : 0);
    const lastUpdatedIso = new Date(lastUpdated).toISOString();
    const stored = deleted ? undefined : withMeta(resource, String(versionId), lastUpdatedIso);
    const content = stored ? stringifyKeepingNumbers(stored) : null;
    const author = authorText(options.author);
    const previousHash = previous ? ((this.writes.get('SELECT hash FROM resource_versions WHERE seq = ?').get(previous.seq) as { hash: string | null }).hash) : null;
    const hash = versionHash(previousHash, { resourceType: resource.resourceType, id: resource.id as string, versionId, lastUpdated, deleted, author, content });
    // The position is the next of the order shared with the AuditEvent table.
    const { lastInsertRowid } = this.writes
      .get(
        `INSERT INTO resource_versions (seq, resource_type, id, version_id, last_updated, deleted, content, author, hash)
         VALUES (${nextSeqSql}, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(resource.resourceType, resource.id as string, versionId, lastUpdated, deleted ? 1 : 0, content, author, hash);
    if (previous) {
      this.writes.get('UPDATE resource_versions SET replaced_at = ? WHERE seq = ?').run(lastUpdated, previous.seq);
    }
    const { key } = this.writes
      .get(
        `INSERT INTO resources (resource_type, id, seq, version_id, last_updated, deleted)
         VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (resource_type, id) DO UPDATE SET
           seq = excluded.seq, version_id = excluded.version_id,
           last_updated = excluded.last_updated, deleted = excluded.deleted
         RETURNING key`
      )
      .get(resource.resourceType, resource.id as string, lastInsertRowid, versionId, lastUpdated, deleted ? 1 : 0) as {
      key: number;
    };
    // Only the current version is indexed: replace the previous version's rows.
    if (previous && !previous.deleted) {
      deleteIndexRows(this.writes, key);
    }
    if (stored) {
      insertIndexRows(this.writes, this.paramIds, resource.resourceType, key, storedIndexEntries(this.indexer, resource, stored, options.index));
    }
    return {
      resourceType: resource.resourceType,
      id: resource.id as string,
      versionId: String(versionId),
      lastUpdated: lastUpdatedIso,
      deleted,
      resource: stored,
    };
  }
}

/** The statements of newestSeq by how many types they ask: asked before every request, so built once (the same string is looked up in the statement cache without hashing it again). */
const newestSeqSqls: string[] = [];

function newestSeqSql(types: number): string {
  // Multi-argument max() is NULL when any argument is: a type without versions counts as 0.
  newestSeqSqls[types] ??= `SELECT max(${Array.from({ length: types }, () => 'coalesce((SELECT max(seq) FROM resource_versions WHERE resource_type = ?), 0)').join(', ')}, 0) AS seq`;
  return newestSeqSqls[types];
}

function toVersion(row: VersionRow): ResourceVersion {
  return { ...versionFields(row), resource: row.content ? parseStoredResource(row.content) : undefined };
}

/**
 * A version whose resource is still its stored JSON text. A read thread sends this: a string crosses
 * threads cheaper than a parsed object, and structured clone would drop the written text of decimals
 * (a symbol-keyed property, server/json/number-text.ts), so the receiver parses it (read-pool/read-calls.ts),
 * and only if something reads more than its type and id: whether its numbers print back as written is
 * looked for then, not here (8% of a read thread's CPU for a page of 20 Patients that is sent as text).
 */
export interface StoredTextVersion extends ResourceVersion {
  storedText?: string;
}

/**
 * The version with its resource made from its stored text, parsed when first used (lazy-resource.ts): a
 * read by id is answered with the text, and a search page's entries are written as their texts, which
 * the audit scans for Patient references, so a resource that nothing else reads is never parsed
 * (docs/performance.md, "fourth pass" and "A read by id not parsed").
 */
export function lazyVersion(fields: ResourceVersion, storedText: string | null | undefined): ResourceVersion {
  return { ...fields, resource: storedText ? lazyStoredResource(storedText, fields.resourceType, fields.id) : undefined };
}

function storedTextVersion(row: VersionRow): StoredTextVersion {
  return row.content ? { ...versionFields(row), storedText: row.content } : versionFields(row);
}

function versionFields(row: VersionRow): ResourceVersion {
  return {
    resourceType: row.resource_type,
    id: row.id,
    versionId: String(row.version_id),
    lastUpdated: new Date(row.last_updated).toISOString(),
    deleted: row.deleted === 1,
  };
}
