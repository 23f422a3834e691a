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
import { auditChainType, auditLink, versionHash } from '../../audit/chain-hash';
import { authorText } from '../../audit/version-author';
import type {
  AuditArchiveBoundary,
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

/** Everything of a current document but its index entries. */
const withoutIndex = { projection: { idx: 0 } };

/** MongoDB's duplicate-key error code. */
const duplicateKey = 11000;

/** History is read in batches of at least this many versions when a restriction hides some of them. */
const historyBatch = 100;

export class MongoOperations implements StoreOperations {
  constructor(
    private readonly current: Collection<CurrentDocument>,
    private readonly versions: Collection<VersionDocument>,
    private readonly indexer: ResourceIndexer,
    private readonly session?: ClientSession,
    /** Where archived AuditEvents end; absent, none were archived. */
    private readonly auditArchive?: Collection<AuditArchiveDocument>
  ) {}

  async create<T extends Resource>(resource: T, options: CreateOptions = {}): Promise<ResourceVersion<T>> {
    const id = resource.id as string;
    if (await this.currentDoc(resource.resourceType, id)) {
      throw conflict(`${resource.resourceType}/${id} already exists`);
    }
    return (await this.writeVersion(resource, undefined, options)) as ResourceVersion<T>;
  }

  async readCurrent(resourceType: string, id: string): Promise<ResourceVersion | undefined> {
    const doc = await this.currentDoc(resourceType, id);
    return doc && toVersion(doc);
  }

  async readVersion(resourceType: string, id: string, versionId: string): Promise<ResourceVersion | undefined> {
    const version = Number(versionId);
    if (!Number.isSafeInteger(version) || version < 1) {
      return undefined;
    }
    const doc = await this.versions.findOne({ _id: `${resourceKey(resourceType, id)}/${version}` }, { session: this.session });
    return doc ? toVersion(doc) : undefined;
  }

  async update<T extends Resource>(resource: T, options: WriteOptions = {}): Promise<UpdateResult> {
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
    const page = withinBytes(found.slice(0, query.count), query.maxBytes, (doc) => doc.json);
    return {
      versions: page.map(toVersion),
      // With count 0 the page is empty: there is nothing to continue from.
      nextCursor: found.length > page.length && page.length ? encodeCursor([page[page.length - 1].seq]) : undefined,
    };
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
    return searchPage(plan, {
      ...this.reader(),
      aggregate: (pipeline) => this.current.aggregate(pipeline, { session: this.session }).toArray(),
      count: (query) => this.current.countDocuments(query, { session: this.session }),
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
      count += await this.versions.countDocuments({ type }, { session: this.session });
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
    const docs = await this.versions.find(filter, { projection, session: this.session }).sort({ seq: 1 }).limit(query.limit).toArray();
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
        previousAuditHash: doc.type === auditChainType ? await this.auditLinkBefore(doc.seq) : null,
      });
    }
    return records;
  }

  async newestPosition(): Promise<string> {
    const [newest] = await this.versions.find({}, { projection: { seq: 1 }, session: this.session }).sort({ seq: -1 }).limit(1).toArray();
    return newest?.seq ?? '0';
  }

  /**
   * The AuditEvent chain's link written last before `seq` (every one when `seq` is undefined): a stored
   * event's, or the archive boundary's once older events were archived (docs/audit.md, "Retention").
   */
  private async auditLinkBefore(seq: string | undefined): Promise<string | null> {
    const filter: Document = seq === undefined ? { type: auditChainType } : { type: auditChainType, seq: { $lt: seq } };
    const [last] = await this.versions.find(filter, { projection: { ah: 1, seq: 1 }, session: this.session }).sort({ seq: -1 }).limit(1).toArray();
    const [boundary] = this.auditArchive
      ? await this.auditArchive.find(seq === undefined ? {} : { seq: { $lt: seq } }, { session: this.session }).sort({ seq: -1 }).limit(1).toArray()
      : [];
    if (boundary && (!last || boundary.seq > last.seq)) {
      return boundary.ah;
    }
    return last?.ah ?? null;
  }

  /** Removes the AuditEvents at or before the boundary (versions and current documents) and records it. */
  async purgeAuditEvents(boundary: AuditArchiveBoundary): Promise<number> {
    if (!this.auditArchive) {
      throw new Error('this MongoDB store has no audit_archive collection');
    }
    const upTo = { type: auditChainType, seq: { $lte: boundary.position } };
    const { deletedCount } = await this.versions.deleteMany(upTo, { session: this.session });
    if (deletedCount !== boundary.events) {
      // Thrown inside the store's transaction: nothing is removed.
      throw conflict(`the store holds ${deletedCount} AuditEvent versions up to position ${boundary.position}, the archive ${boundary.events}; nothing was purged`);
    }
    await this.current.deleteMany(upTo, { session: this.session });
    await this.auditArchive.insertOne({ _id: boundary.position, seq: boundary.position, ah: boundary.auditHash, at: Date.now() }, { session: this.session });
    return deletedCount;
  }

  private reader(): CurrentReader {
    return {
      find: (query, fields) => {
        const projection = Object.fromEntries((fields.length ? fields : ['_id']).map((f) => [f, 1]));
        return this.current.find(query, { projection, session: this.session }).toArray() as Promise<Document[]>;
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
    // Concurrent AuditEvent writers in several processes could chain to the same link (docs/audit.md).
    const ah = resourceType === auditChainType ? auditLink(await this.auditLinkBefore(undefined), h) : undefined;
    const chained = { h, ...(author ? { au: author } : {}), ...(ah ? { ah } : {}) };
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
