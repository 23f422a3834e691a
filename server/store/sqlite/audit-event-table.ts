// AuditEvents in their own append-only table (schema migration 8, docs/audit.md "Storage"): one row per
// event with its stored JSON (packed: audit-packed-text.ts; read as the JSON a resource version would
// hold), its hashes, and what the nine AuditEvent search parameters need
// (server/audit/audit-search-parameters.ts): the `date` range as two
// columns, the token and reference entries as small JSON arrays on the row, and the local references in
// one narrow lookup table (audit_event_targets) for the selective searches (patient, agent, entity),
// reached through a small table of the recent ones merged into it in bulk (addLookups). No
// `resources` row and no generic index rows: an event costs one row and a few b-tree entries, against
// a version row, a current row and 12 index rows before (docs/performance.md, "Auditing on and off").
// Positions (seq) share one order with resource_versions, so that system history, the chains and the
// anchors see one write order.
import type { Resource } from '@medplum/fhirtypes';
import type { SQLInputValue } from 'node:sqlite';
import { auditLink, versionHash } from '../../audit/chain-hash';
import { isPreparedEvent, preparedTextHead } from '../../audit/prepared-event';
import { authorText } from '../../audit/version-author';
import { stringifyKeepingNumbers } from '../../json/number-text';
import { storedTextOf } from '../../json/stored-text';
import { conflict } from '../../outcomes';
import type { AuditEventEntries, ChainQuery, HistoryQuery, PreparedAuditEvent, ResourceIndexer, WriteOptions } from '../port';
import { checkExpectedVersion, sameContent, withMeta } from '../versioning';
import { linkBeforeSql, newestAuditLink } from './audit-archive-sql';
import { packAuditText } from './audit-packed-text';
import type { ParamIds } from './param-ids';
import type { StatementCache } from './statement-cache';
import type { VersionRow } from './version-row';

export const auditEventType = 'AuditEvent';

/**
 * The next position in the write order shared by resource versions and AuditEvents (and never one at or
 * below an archive boundary, to which the chain goes on). Each part is the last entry of a b-tree.
 */
export const nextSeqSql = `(SELECT max(
  coalesce((SELECT max(seq) FROM resource_versions), 0),
  coalesce((SELECT max(seq) FROM audit_events), 0),
  coalesce((SELECT max(seq) FROM audit_archive), 0)) + 1)`;

/** The columns of a VersionRow, from audit_events aliased `alias`; `content`: the columns read in place of its JSON text. */
export function auditRowColumns(alias: string, content = `audit_text(${alias}.content) AS content`): string {
  return `${alias}.seq, '${auditEventType}' AS resource_type, ${alias}.id, ${alias}.version_id, ${alias}.last_updated, ${alias}.deleted, ${content}`;
}

/** The stored event's entries as the rows a condition of value-sql.ts reads (its column names). */
export const tokenRowsSql = (alias: string): string =>
  `SELECT value->>0 AS param_id, value->>1 AS system, value->>2 AS code, value->>3 AS text, NULL AS type_system, NULL AS type_code FROM json_each(audit_text(${alias}.tokens))`;
export const referenceRowsSql = (alias: string): string =>
  `SELECT value->>0 AS param_id, value->>1 AS target_type, value->>2 AS target_id, value->>3 AS version, value->>4 AS url,
     value->>5 AS identifier_system, value->>6 AS identifier_value FROM json_each(audit_text(${alias}.refs))`;

const rowColumns = '(seq, id, version_id, last_updated, deleted, current, date_low, date_high, tokens, refs, author, hash, audit_hash, content)';
const insertSql = `INSERT INTO audit_events ${rowColumns}
  VALUES (${nextSeqSql}, ?, 1, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id, version_id) DO NOTHING RETURNING seq`;
/** A batch's rows, `count` at a time: one statement execution for many rows (appendAll). */
const insertRowsSql = (count: number): string => `INSERT INTO audit_events ${rowColumns} VALUES ${Array(count).fill('(?, ?, 1, ?, 0, 1, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ')}`;
/** Lookup entries go to the recent table first (see mergeRecentLookups). */
const insertRecentSql = (count: number): string =>
  `INSERT INTO audit_event_recent_targets (param_id, target_id, target_type, seq) VALUES ${Array(count).fill('(?, ?, ?, ?)').join(', ')}`;
/**
 * Every lookup entry, merged or recent, as the rows of audit_event_targets (for inspection and tests:
 * searches read the two tables each in its own way, audit-search-sql.ts).
 */
export const lookupEntriesSql = `SELECT param_id, target_id, target_type, seq FROM audit_event_targets
  UNION ALL SELECT param_id, target_id, target_type, seq FROM audit_event_recent_targets`;
/** How many entries the recent table holds (about: its rowids restart after a merge empties it); one b-tree end. */
const recentCountSql = 'SELECT coalesce(max(rowid), 0) AS n FROM audit_event_recent_targets';
const mergeSql = `INSERT OR IGNORE INTO audit_event_targets (param_id, target_id, target_type, seq)
  SELECT param_id, target_id, target_type, seq FROM audit_event_recent_targets ORDER BY param_id, target_id, target_type, seq`;
// Without a WHERE clause SQLite empties the table by dropping its pages, not row by row.
const emptyRecentSql = 'DELETE FROM audit_event_recent_targets';

/**
 * The recent table is merged once it holds this many lookup entries (a read event has two or three):
 * each merge writes a page of audit_event_targets once for all its entries there, and a search reads the
 * recent table through (docs/performance.md, "Lookup entries merged in bulk").
 */
const defaultLookupMergeEntries = 4096;

/**
 * Moves the recent lookup entries into audit_event_targets, in key order, and empties the recent table;
 * inside the caller's write transaction, so that a crash leaves each entry in exactly one of the two.
 * A search reads both (audit-search-sql.ts), so when this runs changes no answer.
 */
export function mergeRecentLookups(writes: StatementCache): void {
  writes.get(mergeSql).run();
  writes.get(emptyRecentSql).run();
}
const nextSeqSelectSql = `SELECT ${nextSeqSql} AS seq`;
/** Whether any of the ids (a JSON array) is stored, from the (id, version_id) index alone. */
const anyStoredSql = 'SELECT 1 FROM audit_events WHERE id IN (SELECT value FROM json_each(?)) LIMIT 1';

// The statements of every write and read by id, built once: the statement cache is keyed by their text.
const currentSql = `SELECT ${auditRowColumns('a')} FROM audit_events a WHERE a.id = ? ORDER BY a.version_id DESC LIMIT 1`;
const versionSql = `SELECT ${auditRowColumns('a')} FROM audit_events a WHERE a.id = ? AND a.version_id = ?`;
/** From the (id, version_id) index alone. */
const storedSql = 'SELECT 1 FROM audit_events WHERE id = ? LIMIT 1';

type ReferenceCells = [number, string | null, string | null, string | null, string | null, string | null, string | null];

/**
 * The parameters whose local references go into the lookup table. Not `patient`: R4 defines it as the
 * agents' and entities' references to a Patient (https://hl7.org/fhir/R4/auditevent.html#search), so its
 * lookup reads their entries of type Patient (audit-search-sql.ts): one lookup entry fewer per event, each
 * a page written at the commit (the lookup's keys are scattered; docs/performance.md, "Auditing on and off").
 */
export const auditLookupParams: ReadonlySet<string> = new Set(['agent', 'entity', 'source']);
/** The lookup of `patient`: the entries of these parameters whose target is a Patient. */
export const patientLookupParams = ['agent', 'entity'] as const;

/** The event's search entries as the table keeps them (see the file's header), and its lookup entries. */
function searchColumns(
  entries: AuditEventEntries,
  paramId: (code: string) => number
): { low: number | null; high: number | null; tokens: string; refs: ReferenceCells[]; lookups: ReferenceCells[] } {
  const dates = entries.dates.filter((d) => d.param === 'date');
  const n = <T>(v: T | undefined): T | null => (v === undefined ? null : v);
  const refs: ReferenceCells[] = [];
  const lookups: ReferenceCells[] = [];
  for (const r of entries.references) {
    const cells: ReferenceCells = [paramId(r.param), n(r.targetType), n(r.targetId), n(r.version), n(r.url), n(r.identifierSystem), n(r.identifierValue)];
    refs.push(cells);
    if (r.targetId !== undefined && auditLookupParams.has(r.param)) lookups.push(cells);
  }
  return {
    low: dates.length ? Math.min(...dates.map((d) => d.low)) : null,
    high: dates.length ? Math.max(...dates.map((d) => d.high)) : null,
    tokens: JSON.stringify(entries.tokens.map((t) => [paramId(t.param), n(t.system), n(t.code), n(t.text)])),
    refs,
    lookups,
  };
}

/**
 * The stored text of `stored` (the event with its meta) from the text the event was parsed from, when it
 * has one (the audit writer's events: audit-worker-writer.ts) and its id comes right after resourceType:
 * `meta` goes in after the id, as withMeta places it, instead of serializing the event again. The same
 * text as stringifyKeepingNumbers(stored), since the event's text is JSON.stringify's of the same value;
 * undefined otherwise (an event with a meta of its own, one read back from the store).
 */
export function storedEventText(event: Resource, stored: Resource): string | undefined {
  const text = storedTextOf(event);
  if (text === undefined || event.meta !== undefined) {
    return undefined;
  }
  const head = `{"resourceType":${JSON.stringify(event.resourceType)},"id":${JSON.stringify(event.id)},`;
  return text.startsWith(head) ? metaAfterHead(text, head, JSON.stringify(stored.meta)) : undefined;
}

/** A prepared event's stored text: its text with `meta` put in after the id, as storedEventText puts it. */
function preparedContent(event: PreparedAuditEvent, metaText: string): string {
  return metaAfterHead(event.eventText, preparedTextHead(event.id), metaText);
}

/** `text`, which starts with `head` (its resourceType and id), with `meta` as the next member: where withMeta puts it. */
function metaAfterHead(text: string, head: string, metaText: string): string {
  return `${head}"meta":${metaText},${text.slice(head.length)}`;
}

/** An event's stored form: its row's values after the position, its lookup entries, its chain link. */
interface PreparedRow {
  content: string;
  lastUpdated: number;
  auditHash: string;
  values: SQLInputValue[];
  lookups: [number, string, string][];
}

/** A lookup entry as audit_event_targets keys it: parameter, target id, target type, position. */
type LookupEntry = [number, string, string, number];

/**
 * An event's lookup entries (parameter, target id, target type), each once: two references differing only
 * in their version or URL give one entry, as audit_event_targets' key keeps one; so the recent table holds
 * exactly what a merge puts there.
 */
function distinctLookups(cells: ReferenceCells[]): [number, string, string][] {
  const seen = new Set<string>();
  const lookups: [number, string, string][] = [];
  for (const [paramId, targetType, targetId] of cells) {
    const entry: [number, string, string] = [paramId, targetId as string, targetType ?? ''];
    const key = JSON.stringify(entry);
    if (!seen.has(key)) {
      seen.add(key);
      lookups.push(entry);
    }
  }
  return lookups;
}

/**
 * Inserts `rows` with the statement `sql(n)` for n rows at a time, n a power of two up to `most`: a
 * handful of prepared statements (each kept by the statement cache) serve any count.
 */
function insertMany(writes: StatementCache, sql: (count: number) => string, rows: readonly SQLInputValue[][], most: number): void {
  let done = 0;
  for (let size = most; size >= 1; size /= 2) {
    for (; rows.length - done >= size; done += size) {
      writes.get(sql(size)).run(...rows.slice(done, done + size).flat());
    }
  }
}

export class AuditEventTable {
  constructor(
    private readonly reads: StatementCache,
    private readonly writes: StatementCache,
    private readonly indexer: ResourceIndexer,
    private readonly paramIds: ParamIds,
    /** The recent lookup entries are merged once there are this many (defaultLookupMergeEntries). */
    private readonly lookupMergeEntries = defaultLookupMergeEntries
  ) {}

  /**
   * Appends an event (version 1), chained to the newest AuditEvent. Writing the same event again (a batch
   * retried after an unacknowledged commit) changes nothing; a different event under a stored id is
   * refused: AuditEvents are never changed (the API refuses it earlier, write rule audit-records).
   */
  append(resource: Resource, options: WriteOptions = {}): { row: VersionRow; outcome: 'created' | 'unchanged'; resource?: Resource } {
    const id = resource.id as string;
    // With If-Match the stored version is looked at first; otherwise only when the id is taken (the
    // insert below finds it in its unique index: an event's id is new, the usual case).
    if (options.expectedVersionId !== undefined) {
      const stored = this.writes.get(storedSql).get(id) ? this.current(this.writes, id) : undefined;
      checkExpectedVersion(auditEventType, id, stored && { version: stored.version_id, deleted: stored.deleted === 1 }, options);
      if (stored) {
        return this.storedAlready(stored, resource);
      }
    }
    const event = this.prepared(resource, Date.now(), authorText(options.author), newestAuditLink(this.writes));
    const inserted = this.writes.get(insertSql).get(...event.values) as { seq: number } | undefined;
    if (!inserted) {
      return this.storedAlready(this.current(this.writes, id) as VersionRow, resource);
    }
    const { seq } = inserted;
    this.addLookups(event.lookups.map(([paramId, targetId, targetType]): LookupEntry => [paramId, targetId, targetType, seq]));
    // The stored resource as written, not parsed back from its text (as resource versions are returned).
    return { row: { seq, resource_type: auditEventType, id, version_id: 1, last_updated: event.lastUpdated, deleted: 0, content: event.content }, outcome: 'created', resource: event.stored };
  }

  /**
   * Appends new events in their order, as append() one by one would, in a few statements: the batch's
   * positions follow the newest one (read once: this connection holds the write lock, so no other
   * process writes in between), each event is chained to the one before it, and the rows and then the
   * lookup entries (to the recent table, in write order: addLookups) go in many to a statement.
   * Per event that was the row's insert with its position read from three b-tree ends, the newest link
   * read, and one insert per lookup entry (docs/performance.md, "Fewer statements"). False, with nothing
   * written, when an id of the batch is stored already or repeats in it (a batch written again): the
   * caller appends those one by one, which keeps the same event unchanged and refuses a different one.
   */
  appendAll(resources: readonly (Resource | PreparedAuditEvent)[]): boolean {
    const ids = resources.map((resource) => resource.id);
    if (ids.some((id) => typeof id !== 'string') || new Set(ids).size !== ids.length || this.writes.get(anyStoredSql).get(JSON.stringify(ids))) {
      return false;
    }
    const first = (this.writes.get(nextSeqSelectSql).get() as { seq: number }).seq;
    let link = newestAuditLink(this.writes);
    const lastUpdated = Date.now();
    // The meta every event of the batch is given, as withMeta and JSON.stringify write it.
    const metaText = JSON.stringify({ versionId: '1', lastUpdated: new Date(lastUpdated).toISOString() });
    const rows: SQLInputValue[][] = [];
    const lookups: LookupEntry[] = [];
    resources.forEach((resource, i) => {
      const seq = first + i;
      const event = isPreparedEvent(resource)
        ? this.row(resource.id, preparedContent(resource, metaText), resource.entries, lastUpdated, null, link)
        : this.prepared(resource, lastUpdated, null, link);
      link = event.auditHash;
      rows.push([seq, ...event.values]);
      for (const [paramId, targetId, targetType] of event.lookups) {
        lookups.push([paramId, targetId, targetType, seq]);
      }
    });
    insertMany(this.writes, insertRowsSql, rows, 64);
    this.addLookups(lookups);
    return true;
  }

  /**
   * Appends lookup entries to the recent table, whose b-tree only grows at its end (a batch's entries
   * fill a few pages), and merges it into audit_event_targets once it holds lookupMergeEntries: an entry
   * put straight into that target-keyed b-tree dirtied a page of its own, written whole to the WAL at the
   * commit (docs/performance.md, "Lookup entries merged in bulk").
   */
  private addLookups(lookups: LookupEntry[]): void {
    insertMany(this.writes, insertRecentSql, lookups, 256);
    if ((this.writes.get(recentCountSql).get() as { n: number }).n >= this.lookupMergeEntries) {
      mergeRecentLookups(this.writes);
    }
  }

  /** An event's stored form, chained to `previousLink`: its row's values after the position, its lookup entries. */
  private prepared(
    resource: Resource,
    lastUpdated: number,
    author: string | null,
    previousLink: string | null
  ): PreparedRow & { stored: Resource } {
    const id = resource.id as string;
    const stored = withMeta(resource, '1', new Date(lastUpdated).toISOString());
    const content = storedEventText(resource, stored) ?? stringifyKeepingNumbers(stored);
    return { stored, ...this.row(id, content, this.indexer(stored), lastUpdated, author, previousLink) };
  }

  /** An event's row from its stored text and search entries, chained to `previousLink`. */
  private row(id: string, content: string, entries: AuditEventEntries, lastUpdated: number, author: string | null, previousLink: string | null): PreparedRow {
    const hash = versionHash(null, { resourceType: auditEventType, id, versionId: 1, lastUpdated, deleted: false, author, content });
    const auditHash = auditLink(previousLink, hash);
    const columns = searchColumns(entries, (code) => this.paramIds.obtain(this.writes, auditEventType, code));
    // Stored packed (audit-packed-text.ts); the hashes are of the JSON text.
    const values = [id, lastUpdated, columns.low, columns.high, packAuditText(columns.tokens), packAuditText(JSON.stringify(columns.refs)), author, hash, auditHash, packAuditText(content)];
    return { content, lastUpdated, auditHash, values, lookups: distinctLookups(columns.lookups) };
  }

  /** An id already stored: the same event again changes nothing (a batch retried); another is refused. */
  private storedAlready(stored: VersionRow, resource: Resource): { row: VersionRow; outcome: 'unchanged' } {
    if (!stored.deleted && stored.content && sameContent(JSON.parse(stored.content) as Resource, resource)) {
      return { row: stored, outcome: 'unchanged' };
    }
    throw conflict(`${auditEventType}/${resource.id} is stored already; AuditEvents are never changed`);
  }

  /** The newest version of an event, through `cache` (the write connection inside a transaction). */
  current(cache: StatementCache, id: string): VersionRow | undefined {
    return cache.get(currentSql).get(id) as VersionRow | undefined;
  }

  readVersion(id: string, versionId: number): VersionRow | undefined {
    return this.reads.get(versionSql).get(id, versionId) as VersionRow | undefined;
  }

  /**
   * The events of a history page, newest first, up to `limit`: one event's versions, or all of them for
   * type and system history. `visible` is the caller's restriction on an event (SQL on alias `r`).
   */
  history(query: HistoryQuery, limit: number, visible: { sql: string; params: SQLInputValue[] }, before: number | undefined): VersionRow[] {
    const where = [visible.sql];
    const params: SQLInputValue[] = [...visible.params];
    const add = (clause: string, ...values: SQLInputValue[]): void => {
      where.push(clause);
      params.push(...values);
    };
    if (query.id !== undefined) add('r.id = ?', query.id);
    if (query.since !== undefined) add('r.last_updated >= ?', query.since);
    // An event is never replaced: it was current from its write on.
    if (query.at) add('r.last_updated < ?', query.at.high);
    if (before !== undefined) add('r.seq < ?', before);
    // A restriction sees an event as it is now: its current, non-deleted version.
    if (visible.sql !== '1') where.push('r.current = 1');
    return this.reads
      .get(
        `SELECT ${auditRowColumns('r')} FROM audit_events r WHERE ${where.join(' AND ')}
         ORDER BY ${query.id === undefined ? 'r.seq' : 'r.version_id'} DESC LIMIT ?`
      )
      .all(...params, limit) as unknown as VersionRow[];
  }

  /** The events' chain records (ChainRecord columns), oldest first, up to `query.limit`. */
  chainRows(query: ChainQuery): Record<string, SQLInputValue>[] {
    const { where, params } = chainConditions({ ...query, resourceType: undefined }, 'a');
    const content = query.hashesOnly ? 'NULL AS content, NULL AS author' : 'audit_text(a.content) AS content, a.author';
    return this.reads
      .get(
        `SELECT ${auditRowColumns('a', content)}, a.hash, a.audit_hash, p.seq AS previous_seq, p.hash AS previous_hash,
           (SELECT h FROM (${linkBeforeSql('a.seq')})) AS previous_audit_hash
         FROM audit_events a LEFT JOIN audit_events p ON p.id = a.id AND p.version_id = a.version_id - 1
         ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY a.seq LIMIT ?`
      )
      .all(...params, query.limit);
  }

  /** The newest event's position, 0 when there is none. */
  newestSeq(cache: StatementCache = this.reads): number {
    return (cache.get('SELECT coalesce(max(seq), 0) AS seq FROM audit_events').get() as { seq: number }).seq;
  }
}

/** A chain query's conditions on versions aliased `alias` (resource_versions or audit_events), and the columns of content it reads. */
export function chainConditions(query: ChainQuery, alias: string): { where: string[]; params: SQLInputValue[]; content: string } {
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  const add = (clause: string, value: SQLInputValue | undefined): void => {
    if (value !== undefined) {
      where.push(`${alias}.${clause}`);
      params.push(value);
    }
  };
  add('resource_type = ?', query.resourceType);
  add('id = ?', query.id);
  add('last_updated >= ?', query.from);
  add('last_updated < ?', query.to);
  add('seq > ?', query.after === undefined ? undefined : Number(query.after));
  add('seq <= ?', query.upTo === undefined ? undefined : Number(query.upTo));
  const content = query.hashesOnly ? 'NULL AS content, NULL AS author' : `${alias}.content, ${alias}.author`;
  return { where, params, content };
}
