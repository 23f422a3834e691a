// The MongoDB document shapes: one document per resource for its current version (the resource's JSON
// text plus `idx`, a compact sub-document of its extracted search values), one per version in the
// history collection. docs/storage-mongo.md explains the shape and why.
import { ObjectId } from 'mongodb';
import { stringifyKeepingNumbers } from '../../json/number-text';
import { parseStoredResource } from '../../json/stored-text';
import type { CompositePart, IndexEntries } from '../../search/indexing/types';
import type { ResourceVersion } from '../port';

/** Collection names inside the configured database. */
export const collections = { current: 'resources', history: 'resource_history', auditArchive: 'audit_archive', auditEvents: 'audit_events' } as const;

/** Where archived AuditEvents end (port.ts AuditArchiveBoundary): `_id` and `seq` the last one's seq. */
export interface AuditArchiveDocument {
  _id: string;
  seq: string;
  /** Its AuditEvent chain link. */
  ah: string;
  /** When it was archived (ms). */
  at: number;
}

/** A token entry: system, code, display text (normalised), identifier type system and code. */
export interface TokenEntry { p: string; s?: string; c?: string; t?: string; ts?: string; tc?: string }
/** A reference entry: `k` is 'Type/id' when both are known, `i` the id alone (for a search without type). */
export interface ReferenceEntry { p: string; k?: string; i?: string; ver?: string; url?: string; is?: string; iv?: string }
/** A composite entry: per part i, a<i> (code, value or id), b<i> (system or type), lo<i>/hi<i>, m<i> (middle). */
export type CompositeEntry = { p: string } & Record<string, string | number>;

/**
 * The search values of the current version, one array per parameter type; every entry names its
 * parameter in `p`. Field names are short because they are repeated in every entry of every resource.
 */
export interface IndexDocument {
  str?: { p: string; v: string; x: string }[];
  tok?: TokenEntry[];
  date?: { p: string; lo: number; hi: number }[];
  num?: { p: string; v?: number; lo: number; hi: number }[];
  qty?: { p: string; v?: number; lo: number; hi: number; s?: string; c?: string; u?: string; cc?: string; cv?: number; clo?: number; chi?: number }[];
  ref?: ReferenceEntry[];
  uri?: { p: string; v: string }[];
  comp?: CompositeEntry[];
}

/** The current version of a resource (a tombstone after a delete), `_id` 'Type/id'. */
export interface CurrentDocument {
  _id: string;
  type: string;
  id: string;
  /** The version number. */
  vid: number;
  /** meta.lastUpdated in ms since epoch. */
  lu: number;
  /** Write order: see nextSeq. */
  seq: string;
  deleted: boolean;
  /** The resource exactly as serialised, so reads return the bytes that were stored (absent for a delete). */
  json?: string;
  idx?: IndexDocument;
  /** Unique business identifiers as 'param|system|code', under a unique index (absent when none). */
  uq?: string[];
  /** The current version's hash (server/audit/chain-hash.ts), which the next version chains to. */
  h?: string;
  /**
   * What `_sort=-date` orders by, stored (newestDate): the highest end of the `date` parameter's values,
   * or -lastNumber without one. Stored, it is indexed with the token entries (indexes.ts, token_date),
   * so that `code=…&_sort=-date` reads one code's documents newest first and stops at the page.
   */
  nd?: number;
}

/** One version, `_id` 'Type/id/vid'; `key` is the resource's 'Type/id'. */
export interface VersionDocument {
  _id: string;
  key: string;
  type: string;
  id: string;
  vid: number;
  lu: number;
  /** When the next version replaced this one (ms), which answers `_at`; absent while current. */
  replaced?: number;
  seq: string;
  deleted: boolean;
  json?: string;
  /** Who wrote it, as JSON text (absent when unknown). */
  au?: string;
  /** Its hash, chained to the previous version's (absent for versions written before hashes were kept). */
  h?: string;
  /** AuditEvents only: the link of the global AuditEvent chain. */
  ah?: string;
}

/** Resources without a value sort last in either direction: this number ascending, its negative descending (as in SQLite). */
export const lastNumber = 1e300;

/** The parameter whose newest value a document stores as `nd`: every type's clinical date is `date`. */
export const newestDateParam = 'date';

/** The `nd` of a resource with these index entries (the value search-pipeline.ts computes for `_sort=-date`). */
export function newestDate(entries: IndexEntries): number {
  let newest = -lastNumber;
  for (const date of entries.dates) {
    if (date.param === newestDateParam && date.high > newest) {
      newest = date.high;
    }
  }
  return newest;
}

export function resourceKey(resourceType: string, id: string): string {
  return `${resourceType}/${id}`;
}

/**
 * A total write order that needs no shared counter (a counter document would make every concurrent
 * transaction conflict on it): the write's time in ms, fixed-width, then a fresh ObjectId, which is
 * unique and increases within a process. Strings compare in that order.
 */
export function nextSeq(lastUpdated: number): string {
  return lastUpdated.toString().padStart(15, '0') + new ObjectId().toHexString();
}

/** The values of the resource's unique parameters, as the `uq` keys of its document. */
export function uniqueKeys(entries: IndexEntries): string[] {
  return (entries.unique ?? []).map((u) => `${u.param}|${u.system}|${u.code}`);
}

/** The index sub-document of a resource's entries; fields that are undefined are left out, never null. */
export function indexDocument(entries: IndexEntries): IndexDocument {
  const idx: IndexDocument = {};
  const put = <K extends keyof IndexDocument>(field: K, values: NonNullable<IndexDocument[K]>): void => {
    if (values.length) {
      idx[field] = values;
    }
  };
  put('str', entries.strings.map((e) => ({ p: e.param, v: e.value, x: e.exact })));
  put('tok', entries.tokens.map((e) => compact({ p: e.param, s: e.system, c: e.code, t: e.text, ts: e.typeSystem, tc: e.typeCode })));
  put('date', entries.dates.map((e) => ({ p: e.param, lo: e.low, hi: e.high })));
  put('num', entries.numbers.map((e) => compact({ p: e.param, v: e.value, lo: e.low, hi: e.high })));
  put(
    'qty',
    entries.quantities.map((e) =>
      compact({
        p: e.param,
        v: e.value,
        lo: e.low,
        hi: e.high,
        s: e.system,
        c: e.code,
        u: e.unit,
        cc: e.canonicalCode,
        cv: e.canonicalValue,
        clo: e.canonicalLow,
        chi: e.canonicalHigh,
      })
    )
  );
  put(
    'ref',
    entries.references.map((e) =>
      compact({
        p: e.param,
        k: e.targetType && e.targetId ? resourceKey(e.targetType, e.targetId) : undefined,
        i: e.targetId,
        ver: e.version,
        url: e.url,
        is: e.identifierSystem,
        iv: e.identifierValue,
      })
    )
  );
  put('uri', entries.uris.map((e) => ({ p: e.param, v: e.value })));
  put(
    'comp',
    entries.composites.map((e) => {
      const entry: CompositeEntry = { p: e.param };
      e.parts.forEach((part, i) => Object.assign(entry, compositePart(part, i)));
      return entry;
    })
  );
  return idx;
}

/** A composite part in generic fields, as the SQLite adapter's generic columns hold it (index-writer.ts). */
function compositePart(part: CompositePart, i: number): Record<string, string | number> {
  const fields: Record<string, string | number | undefined> = {};
  switch (part.type) {
    case 'token':
      Object.assign(fields, { a: part.code, b: part.system });
      break;
    case 'quantity':
      Object.assign(fields, { a: part.code, b: part.system, lo: part.low, hi: part.high });
      break;
    case 'date':
    case 'number':
      Object.assign(fields, { lo: part.low, hi: part.high });
      break;
    case 'string':
    case 'uri':
      fields.a = part.value;
      break;
    case 'reference':
      Object.assign(fields, { a: part.targetId ?? part.url, b: part.targetType });
      break;
  }
  if (typeof fields.lo === 'number' && typeof fields.hi === 'number') {
    // A part is compared as a point at the middle of its range; a query cannot compute it inside $elemMatch.
    fields.m = (fields.lo + fields.hi) / 2;
  }
  const named: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value !== undefined) {
      named[`${name}${i}`] = value;
    }
  }
  return named;
}

function compact<T extends object>(value: T): T {
  for (const key of Object.keys(value) as (keyof T)[]) {
    if (value[key] === undefined) {
      delete value[key];
    }
  }
  return value;
}

/** The current document of a version just written; `entries` are the stored resource's index entries. */
export function currentDocument(version: ResourceVersion, seq: string, entries: IndexEntries | undefined): CurrentDocument {
  const doc: CurrentDocument = {
    _id: resourceKey(version.resourceType, version.id),
    type: version.resourceType,
    id: version.id,
    vid: Number(version.versionId),
    lu: Date.parse(version.lastUpdated),
    seq,
    deleted: version.deleted,
  };
  if (version.resource && entries) {
    doc.json = stringifyKeepingNumbers(version.resource);
    doc.idx = indexDocument(entries);
    doc.nd = newestDate(entries);
    const unique = uniqueKeys(entries);
    if (unique.length) {
      doc.uq = unique;
    }
  }
  return doc;
}

export function toVersion(doc: CurrentDocument | VersionDocument): ResourceVersion {
  return {
    resourceType: doc.type,
    id: doc.id,
    versionId: String(doc.vid),
    lastUpdated: new Date(doc.lu).toISOString(),
    deleted: doc.deleted,
    resource: doc.json ? parseStoredResource(doc.json) : undefined,
  };
}
