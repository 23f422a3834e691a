// The store operations over the two MongoDB collections, alone or bound to a session whose transaction
// the store runs (mongo-store.ts). Every write is several documents (the new version, the previous
// version's end, the current document), so writes always run inside a transaction.
import type { CohortQuery, CohortRow } from '../cohort-port';
import { cohortRows } from './cohort-pipeline';
import type { Resource } from '@medplum/fhirtypes';
import { MongoServerError, type ClientSession, type Collection, type Document } from 'mongodb';
import { conflict } from '../../outcomes';
import { decodeCursor, encodeCursor } from '../cursor';
import { withinBytes } from '../page-bytes';
import type { SearchPlan } from '../../search/plan';
import { versionHash } from '../../audit/chain-hash';
import { auditEventOf, isPreparedEvent } from '../../audit/prepared-event';
import { authorText } from '../../audit/version-author';
import type {
  AuditArchiveBoundary,
  PreparedAuditEvent,
  ChainQuery,
  ChainRecord,
  CreateOptions,
  DeleteResult,
  HistoryPage,
  HistoryQuery,
  ReferrersQuery,
  ResourceIndexer,
  ResourceRef,
  ResourceVersion,
  SearchPage,
  StoreOperations,
  UpdateResult,
  WriteOptions,
} from '../port';
import { uniqueConflict } from '../unique-conflict';
import { checkExpectedVersion, sameContent, withMeta } from '../versioning';
import { currentDocument, nextSeq, resourceKey, toVersion, type AuditArchiveDocument, type CurrentDocument, type VersionDocument } from './documents';
import { FilterCompiler, type CurrentReader } from './filters';
import { searchPage } from './search-page';
import { auditEventType, MongoAuditEvents, type AuditEventDocument } from './audit-events';

/** Everything of a current document but its index entries. */
const withoutIndex = { projection: { idx: 0 } };

/** MongoDB's duplicate-key error code. */
const duplicateKey = 11000;

/** History is read in batches of at least this many versions when a restriction hides some of them. */
const historyBatch = 100;

export class MongoOperations implements StoreOperations {
  /** AuditEvents are kept apart, one document each (audit-events.ts). */
  private readonly audits: MongoAuditEvents;

  constructor(
    private readonly current: Collection<CurrentDocument>,
    private readonly versions: Collection<VersionDocument>,
    private readonly indexer: ResourceIndexer,
    private readonly session: ClientSession | undefined,
    /** Where archived AuditEvents end; absent, none were archived. */
    auditArchive: Collection<AuditArchiveDocument> | undefined,
    private readonly auditEvents: Collection<AuditEventDocument>
  ) {
    this.audits = new MongoAuditEvents(auditEvents, indexer, session, auditArchive);
  }

  async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<ResourceVersion<T>> {
    const id = resource.id as string;
    if (resource.resourceType === auditEventType) {
      if (await this.audits.current(id)) {
        throw conflict(`${auditEventType}/${id} already exists`);
      }
      return (await this.audits.append(resource, options)).version as ResourceVersion<T>;
    }
    if (await this.currentDoc(resource.resourceType, id)) {
      throw conflict(`${resource.resourceType}/${id} already exists`);
    }
    return (await this.writeVersion(resource, undefined, options)) as ResourceVersion<T>;
  }

  async readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    const doc = resourceType === auditEventType ? await this.audits.current(id) : await this.currentDoc(resourceType, id);
    return doc && toVersion(doc);
  }

  async readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    const version = Number(versionId);
    if (!Number.isSafeInteger(version) || version < 1) {
      return undefined;
    }
    if (resourceType === auditEventType) {
      const event = await this.audits.current(id);
      return event && event.vid === version ? toVersion(event) : undefined;
    }
    const doc = await this.versions.findOne({ _id: `${resourceKey(resourceType, id)}/${version}` }, { session: this.session });
    return doc ? toVersion(doc) : undefined;
  }

  async appendAuditEvents(events: readonly (Resource | PreparedAuditEvent)[]): Promise<void> {
    if (events.some((event) => !isPreparedEvent(event) && event.resourceType !== auditEventType)) {
      throw new Error('appendAuditEvents stores AuditEvents only');
    }
    // A batch with an id stored already (written again after an unacknowledged commit) goes one by one.
    if (!(await this.audits.appendAll(events))) {
      for (const event of events) {
        await this.audits.append(auditEventOf(event));
      }
    }
  }

  async update<T extends Resource>(resource: T, options: WriteOptions = {}): Promise<UpdateResult> {
    if (resource.resourceType === auditEventType) {
      return this.audits.append(resource, options);
    }
    const id = resource.id as string;
    const current = await this.currentDoc(resource.resourceType, id);
    checkExpectedVersion(resource.resourceType, id, current && { version: current.vid, deleted: current.deleted }, options);
    if (current && !current.deleted) {
      const stored = toVersion(current);
      if (sameContent(stored.resource as Resource, resource)) {
        return { version: stored, outcome: 'unchanged' };
      }
    }
    const version = await this.writeVersion(resource, current, options);
    return { version, outcome: current && !current.deleted ? 'updated' : 'created' };
  }

  async delete(resourceType: string, id: string, options: WriteOptions = {}): Promise<DeleteResult> {
    if (resourceType === auditEventType) {
      // Removed only by an archive's purge; the API refuses earlier (403).
      throw conflict('AuditEvents are never deleted; old ones are archived');
    }
    const current = await this.currentDoc(resourceType, id);
    checkExpectedVersion(resourceType, id, current && { version: current.vid, deleted: current.deleted }, options);
    if (!current || current.deleted) {
      return { existed: current !== undefined };
    }
    return { existed: true, version: await this.writeVersion({ resourceType, id } as Resource, current, options, true) };
  }

  async history(query: HistoryQuery): Promise<HistoryPage> {
    const filter: Document = {};
    if (query.resourceType && query.id) {
      filter.key = resourceKey(query.resourceType, query.id);
    } else if (query.resourceType) {
      filter.type = query.resourceType;
    }
    if (query.since !== undefined) {
      filter.lu = { $gte: query.since };
    }
    if (query.at) {
      filter.lu = { ...filter.lu, $lt: query.at.high };
      filter.$or = [{ replaced: { $exists: false } }, { replaced: { $gt: query.at.low } }];
    }
    let after = query.cursor ? (decodeCursor(query.cursor, 1)[0] as string) : undefined;
    const wanted = query.count + 1;
    const found: VersionDocument[] = [];
    // Without a restriction one read fills the page; with one, versions of resources the caller may not
    // see are dropped, and the next batch continues after the last version read.
    for (;;) {
      const batchSize = query.restriction ? Math.max(wanted, historyBatch) : wanted;
      const batch = await this.versions
        .find(after === undefined ? filter : { ...filter, seq: { $lt: after } }, { session: this.session })
        .sort({ seq: -1 })
        .limit(batchSize)
        .toArray();
      found.push(...(query.restriction ? await this.visibleVersions(batch, query) : batch));
      if (found.length >= wanted || batch.length < batchSize) {
        break;
      }
      after = batch[batch.length - 1].seq;
    }
    const merged = await this.withAuditHistory(found, filter, query, wanted);
    const page = withinBytes(merged.slice(0, query.count), query.maxBytes, (doc) => doc.json);
    return {
      versions: page.map(toVersion),
      // With count 0 the page is empty: there is nothing to continue from.
      nextCursor: merged.length > page.length && page.length ? encodeCursor([page[page.length - 1].seq]) : undefined,
    };
  }

  /** A history page's versions with the AuditEvents the query lists (those the caller may see) merged in write order. */
  private async withAuditHistory(found: VersionDocument[], filter: Document, query: HistoryQuery, wanted: number): Promise<VersionDocument[]> {
    if (query.resourceType !== undefined && query.resourceType !== auditEventType) {
      return found;
    }
    const { type: _type, ...shared } = filter;
    const conditions: Document[] = [shared];
    if (query.cursor) {
      conditions.push({ seq: { $lt: decodeCursor(query.cursor, 1)[0] as string } });
    }
    if (query.restriction) {
      conditions.push({ deleted: false }, await new FilterCompiler(this.reader(), query.restriction).visible([auditEventType]));
    }
    const events = await this.audits.find({ $and: conditions }, wanted);
    return [...found, ...events].sort((a, b) => (a.seq < b.seq ? 1 : a.seq > b.seq ? -1 : 0)).slice(0, wanted);
  }

  /** The versions whose resource's current version the caller may see (so none of a deleted resource). */
  private async visibleVersions(batch: VersionDocument[], query: HistoryQuery): Promise<VersionDocument[]> {
    if (!batch.length) {
      return [];
    }
    const filters = new FilterCompiler(this.reader(), query.restriction);
    const types = [...new Set(batch.map((v) => v.type))];
    const keys = [...new Set(batch.map((v) => v.key))];
    const visible = await this.reader().find({ $and: [{ _id: { $in: keys }, deleted: false }, await filters.visible(types)] }, []);
    const visibleKeys = new Set(visible.map((d) => d._id as string));
    return batch.filter((v) => visibleKeys.has(v.key));
  }

  search(plan: SearchPlan): Promise<SearchPage> {
    // AuditEvents are matched in their collection; what a page includes, or what includes them, may be in either.
    const searched = plan.resourceType === auditEventType ? this.auditEvents : this.current;
    const events = this.auditEvents;
    const both: CurrentReader = {
      find: async (query, fields) => [...(await this.reader().find(query, fields)), ...(await this.reader(events).find(query, fields))],
    };
    return searchPage(plan, {
      ...this.reader(),
      aggregate: (pipeline) => searched.aggregate(pipeline, { session: this.session }).toArray(),
      count: (query, limit) => searched.countDocuments(query, { session: this.session, ...(limit !== undefined ? { limit } : {}) }),
      typeSize: (resourceType) => cachedTypeSize(searched, resourceType, () => searched.countDocuments({ type: resourceType, deleted: false }, { session: this.session })),
      includes: both,
    });
  }

  /**
   * Current resources (other than the target) whose indexed references point at the target, for
   * referential integrity: the reference_target index answers it without reading the referring resources.
   */
  /** The cohort aggregation (cohort-pipeline.ts), run on the current documents. */
  async cohort(query: CohortQuery): Promise<CohortRow[]> {
    return cohortRows((pipeline) => this.current.aggregate(pipeline, { session: this.session }).toArray(), query);
  }

  async referrers(target: ResourceRef, query: ReferrersQuery): Promise<ResourceRef[]> {
    const key = resourceKey(target.resourceType, target.id);
    const filter: Document = { 'idx.ref.k': key, deleted: false, _id: { $ne: key } };
    if (query.excludeTypes?.length) {
      filter.type = { $nin: [...query.excludeTypes] };
    }
    const docs = await this.current.find(filter, { projection: { type: 1, id: 1 }, session: this.session }).limit(query.limit).toArray();
    return docs.map((d) => ({ resourceType: d.type, id: d.id }));
  }

  /**
   * How many versions of the types exist: versions are never removed, so every committed write (a
   * delete is a version too) changes it, whatever order concurrent transactions commit in, where the
   * newest write order would not. Counted on the type_history index, over the versions of those types
   * only (the terminology and conformance types the caches watch hold few).
   */
  async versionCount(resourceTypes: readonly string[]): Promise<number> {
    let count = 0;
    for (const type of resourceTypes) {
      count += type === auditEventType ? await this.audits.count() : await this.versions.countDocuments({ type }, { session: this.session });
    }
    return count;
  }

  async chainRecords(query: ChainQuery): Promise<ChainRecord[]> {
    const filter: Document = {};
    if (query.resourceType && query.id) {
      filter.key = resourceKey(query.resourceType, query.id);
    } else if (query.resourceType) {
      filter.type = query.resourceType;
    }
    if (query.from !== undefined || query.to !== undefined) {
      filter.lu = { ...(query.from !== undefined ? { $gte: query.from } : {}), ...(query.to !== undefined ? { $lt: query.to } : {}) };
    }
    if (query.after !== undefined || query.upTo !== undefined) {
      filter.seq = { ...(query.after !== undefined ? { $gt: query.after } : {}), ...(query.upTo !== undefined ? { $lte: query.upTo } : {}) };
    }
    const projection = query.hashesOnly ? { json: 0, au: 0 } : undefined;
    const stored = await this.versions.find(filter, { projection, session: this.session }).sort({ seq: 1 }).limit(query.limit).toArray();
    const listsEvents = query.resourceType === undefined || query.resourceType === auditEventType;
    const { type: _type, ...shared } = filter;
    const events = listsEvents ? await this.audits.chain(shared, query.hashesOnly, query.limit) : [];
    const docs = [...stored, ...events].sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0)).slice(0, query.limit);
    // The previous versions' hashes in one query; a missing one is told apart from one without a hash.
    const previousIds = docs.filter((d) => d.vid > 1).map((d) => `${d.key}/${d.vid - 1}`);
    const previous = previousIds.length
      ? await this.versions.find({ _id: { $in: previousIds } }, { projection: { h: 1 }, session: this.session }).toArray()
      : [];
    const previousHashes = new Map(previous.map((d) => [d._id, d.h ?? null]));
    const records: ChainRecord[] = [];
    for (const doc of docs) {
      records.push({
        position: doc.seq,
        resourceType: doc.type,
        id: doc.id,
        versionId: doc.vid,
        lastUpdated: doc.lu,
        deleted: doc.deleted,
        content: query.hashesOnly ? null : (doc.json ?? null),
        author: query.hashesOnly ? null : (doc.au ?? null),
        hash: doc.h ?? null,
        previousHash: doc.vid === 1 ? null : previousHashes.get(`${doc.key}/${doc.vid - 1}`),
        auditHash: doc.ah ?? null,
        previousAuditHash: doc.type === auditEventType ? await this.audits.linkBefore(doc.seq) : null,
      });
    }
    return records;
  }

  async newestPosition(): Promise<string> {
    const [newest] = await this.versions.find({}, { projection: { seq: 1 }, session: this.session }).sort({ seq: -1 }).limit(1).toArray();
    const event = await this.audits.newestSeq();
    return [newest?.seq ?? '0', event ?? '0'].sort().pop() as string;
  }

  /** Removes the AuditEvents at or before the boundary and records it (audit-events.ts). */
  purgeAuditEvents(boundary: AuditArchiveBoundary): Promise<number> {
    return this.audits.purge(boundary);
  }

  private reader(collection: Collection<CurrentDocument> | Collection<AuditEventDocument> = this.current): CurrentReader {
    return {
      find: (query, fields) => {
        const projection = Object.fromEntries((fields.length ? fields : ['_id']).map((f) => [f, 1]));
        return (collection as unknown as Collection<Document>).find(query, { projection, session: this.session }).toArray();
      },
    };
  }

  private async currentDoc(resourceType: string, id: string): Promise<CurrentDocument | undefined> {
    return (await this.current.findOne({ _id: resourceKey(resourceType, id) }, { ...withoutIndex, session: this.session })) ?? undefined;
  }

  /** Writes the next version after `previous` (or version 1) and makes it the current document. */
  private async writeVersion(resource: Resource, previous: CurrentDocument | undefined, options: CreateOptions, deleted = false): Promise<ResourceVersion> {
    const { resourceType } = resource;
    const id = resource.id as string;
    const key = resourceKey(resourceType, id);
    const vid = (previous?.vid ?? 0) + 1;
    // lastUpdated never goes backwards for one resource, even if the clock does.
    const lu = Math.max(Date.now(), previous ? previous.lu + 1 : 0);
    const seq = nextSeq(lu);
    const stored = deleted ? undefined : withMeta(resource, String(vid), new Date(lu).toISOString());
    const version: ResourceVersion = { resourceType, id, versionId: String(vid), lastUpdated: new Date(lu).toISOString(), deleted, resource: stored };
    const doc = currentDocument(version, seq, stored && this.indexer(stored));
    const json = doc.json;
    if (doc.uq) {
      await this.checkUnique(resourceType, key, doc.uq);
    }
    const author = authorText(options.author);
    const h = versionHash(previous?.h ?? null, { resourceType, id, versionId: vid, lastUpdated: lu, deleted, author, content: json ?? null });
    doc.h = h;
    const chained = { h, ...(author ? { au: author } : {}) };
    const writeOptions = { session: this.session };
    await this.versions.insertOne({ _id: `${key}/${vid}`, key, type: resourceType, id, vid, lu, seq, deleted, ...(json ? { json } : {}), ...chained }, writeOptions);
    try {
      if (previous) {
        await this.versions.updateOne({ _id: `${key}/${previous.vid}` }, { $set: { replaced: lu } }, writeOptions);
        // Optimistic locking: the current document is replaced only if it is still the version read.
        const { matchedCount } = await this.current.replaceOne({ _id: key, vid: previous.vid }, doc, writeOptions);
        if (matchedCount === 0) {
          throw conflict(`${key} was changed by another request at the same moment; retry`);
        }
      } else {
        await this.current.insertOne(doc, writeOptions);
      }
    } catch (err) {
      if (err instanceof MongoServerError && err.code === duplicateKey) {
        // A race the checks above did not see (the transaction is aborted, so it cannot read the holder).
        if (err.keyPattern?.uq) {
          const [param, system] = (doc.uq ?? ['identifier|'])[0].split('|');
          throw uniqueConflict(undefined, resourceType, param, system);
        }
        throw conflict(`${key} already exists`);
      }
      throw err;
    }
    return version;
  }

  /** Refuses a business identifier another current resource of the type holds, naming that resource. */
  private async checkUnique(resourceType: string, key: string, unique: string[]): Promise<void> {
    const holder = await this.current.findOne(
      { type: resourceType, uq: { $in: unique }, _id: { $ne: key } },
      { projection: { uq: 1 }, session: this.session }
    );
    if (holder) {
      const clash = unique.find((u) => holder.uq?.includes(u)) ?? unique[0];
      const [param, system] = clash.split('|');
      throw uniqueConflict(holder._id, resourceType, param, system);
    }
  }
}

/** How long a type's resource count serves _total=estimate before it is counted again (as SQLite's planner). */
const typeSizeMaxAgeMs = 30_000;
const typeSizes = new WeakMap<object, Map<string, { count: number; at: number }>>();

/** The current resources of a type in a collection, counted (on its type_order index) at most every 30 s. */
async function cachedTypeSize(collection: object, resourceType: string, count: () => Promise<number>): Promise<number> {
  const counts = typeSizes.get(collection) ?? new Map<string, { count: number; at: number }>();
  typeSizes.set(collection, counts);
  const known = counts.get(resourceType);
  if (known && Date.now() - known.at < typeSizeMaxAgeMs) {
    return known.count;
  }
  const fresh = await count();
  counts.set(resourceType, { count: fresh, at: Date.now() });
  return fresh;
}
