// AuditEvents in a collection of their own (docs/audit.md "Storage"): one document per event, which is
// at once its current document (the JSON text and `idx`, the search values, so that the search pipeline
// and the filters run on it as on `resources`) and its only version (hash, author, AuditEvent chain
// link), so that an event costs one insert instead of a current and a history document. Positions are
// the write order every version takes (documents.ts nextSeq), so history and the chains merge them.
import type { Resource } from '@medplum/fhirtypes';
import { MongoServerError, type ClientSession, type Collection, type Document } from 'mongodb';
import { auditLink, versionHash } from '../../audit/chain-hash';
import { auditEventOf, isPreparedEvent } from '../../audit/prepared-event';
import { authorText } from '../../audit/version-author';
import { conflict } from '../../outcomes';
import { emptyIndexEntries } from '../../search/indexing/index-entries';
import type { AuditArchiveBoundary, PreparedAuditEvent, ResourceIndexer, ResourceVersion, WriteOptions } from '../port';
import { checkExpectedVersion, sameContent, withMeta } from '../versioning';
import { currentDocument, nextSeq, resourceKey, toVersion, type AuditArchiveDocument, type CurrentDocument, type VersionDocument } from './documents';

export const auditEventType = 'AuditEvent';

/** An event's document: its current document's fields and its version's. */
export type AuditEventDocument = CurrentDocument & VersionDocument;

/** MongoDB's duplicate-key error code. */
const duplicateKey = 11000;

export class MongoAuditEvents {
  constructor(
    private readonly events: Collection<AuditEventDocument>,
    private readonly indexer: ResourceIndexer,
    private readonly session: ClientSession | undefined,
    private readonly archive: Collection<AuditArchiveDocument> | undefined
  ) {}

  async current(id: string): Promise<AuditEventDocument | undefined> {
    return (await this.events.findOne({ _id: resourceKey(auditEventType, id) }, { projection: { idx: 0 }, session: this.session })) ?? undefined;
  }

  /**
   * Appends an event, chained to the newest one. The same event again (a batch retried) changes nothing;
   * another event under a stored id is refused: AuditEvents are never changed.
   */
  async append(resource: Resource, options: WriteOptions = {}): Promise<{ version: ResourceVersion; outcome: 'created' | 'unchanged' }> {
    const id = resource.id as string;
    const stored = await this.current(id);
    checkExpectedVersion(auditEventType, id, stored && { version: stored.vid, deleted: stored.deleted }, options);
    if (stored) {
      const version = toVersion(stored);
      if (!stored.deleted && sameContent(version.resource as Resource, resource)) {
        return { version, outcome: 'unchanged' };
      }
      throw conflict(`${auditEventType}/${id} is stored already; AuditEvents are never changed`);
    }
    const lu = Date.now();
    const stamped = withMeta(resource, '1', new Date(lu).toISOString());
    const version: ResourceVersion = { resourceType: auditEventType, id, versionId: '1', lastUpdated: new Date(lu).toISOString(), deleted: false, resource: stamped };
    const doc = currentDocument(version, nextSeq(lu), this.indexer(stamped));
    const author = authorText(options.author);
    const h = versionHash(null, { resourceType: auditEventType, id, versionId: 1, lastUpdated: lu, deleted: false, author, content: doc.json ?? null });
    // Concurrent writers in several processes could chain to the same link (docs/audit.md).
    const ah = auditLink(await this.linkBefore(undefined), h);
    try {
      await this.events.insertOne({ ...doc, key: doc._id, h, ah, ...(author ? { au: author } : {}) }, { session: this.session });
    } catch (err) {
      if (err instanceof MongoServerError && err.code === duplicateKey) {
        throw conflict(`${auditEventType}/${id} already exists`);
      }
      throw err;
    }
    return { version, outcome: 'created' };
  }

  /**
   * Appends new events in their order, as append() one by one would, with one ordered insertMany: the
   * newest link is read once and each event is chained to the one before it in memory; positions are
   * nextSeq's, increasing within the batch. A prepared event's search entries are its own (no indexer).
   * False, with nothing written, when an id of the batch is stored already or repeats in it (a batch
   * written again after an unacknowledged commit): the caller appends those one by one, which keeps the
   * same event unchanged and refuses a different one. A duplicate key met by the insert (another process
   * wrote the id meanwhile) is a conflict thrown inside the caller's transaction: nothing of the batch stays.
   */
  async appendAll(events: readonly (Resource | PreparedAuditEvent)[]): Promise<boolean> {
    const keys = events.map((event) => (typeof event.id === 'string' ? resourceKey(auditEventType, event.id) : undefined));
    if (keys.some((key) => key === undefined) || new Set(keys).size !== keys.length) {
      return false;
    }
    if (await this.events.findOne({ _id: { $in: keys as string[] } }, { projection: { _id: 1 }, session: this.session })) {
      return false;
    }
    const lu = Date.now();
    const lastUpdated = new Date(lu).toISOString();
    let link = await this.linkBefore(undefined);
    const docs = events.map((event): AuditEventDocument => {
      const id = event.id as string;
      const stamped = withMeta(auditEventOf(event), '1', lastUpdated);
      const version: ResourceVersion = { resourceType: auditEventType, id, versionId: '1', lastUpdated, deleted: false, resource: stamped };
      const doc = currentDocument(version, nextSeq(lu), isPreparedEvent(event) ? { ...emptyIndexEntries(), ...event.entries } : this.indexer(stamped));
      const h = versionHash(null, { resourceType: auditEventType, id, versionId: 1, lastUpdated: lu, deleted: false, author: null, content: doc.json ?? null });
      link = auditLink(link, h);
      return { ...doc, key: doc._id, h, ah: link };
    });
    try {
      await this.events.insertMany(docs, { ordered: true, session: this.session });
    } catch (err) {
      if (err instanceof MongoServerError && err.code === duplicateKey) {
        throw conflict(`an AuditEvent of the batch is stored already; AuditEvents are never changed`);
      }
      throw err;
    }
    return true;
  }

  /** Events matching a history filter (on the fields versions and events share), newest first. */
  find(filter: Document, limit: number): Promise<AuditEventDocument[]> {
    return this.events.find(filter, { projection: { idx: 0 }, session: this.session }).sort({ seq: -1 }).limit(limit).toArray();
  }

  /** Events in write order from a chain filter, oldest first. */
  chain(filter: Document, hashesOnly: boolean | undefined, limit: number): Promise<AuditEventDocument[]> {
    const projection = hashesOnly ? { json: 0, au: 0, idx: 0 } : { idx: 0 };
    return this.events.find(filter, { projection, session: this.session }).sort({ seq: 1 }).limit(limit).toArray();
  }

  async newestSeq(): Promise<string | undefined> {
    const [newest] = await this.events.find({}, { projection: { seq: 1 }, session: this.session }).sort({ seq: -1 }).limit(1).toArray();
    return newest?.seq;
  }

  count(): Promise<number> {
    return this.events.countDocuments({}, { session: this.session });
  }

  /**
   * The AuditEvent chain's link written last before `seq` (every one when `seq` is undefined): a stored
   * event's, or the archive boundary's once older events were archived (docs/audit.md, "Retention").
   */
  async linkBefore(seq: string | undefined): Promise<string | null> {
    const filter: Document = seq === undefined ? {} : { seq: { $lt: seq } };
    const [last] = await this.events.find(filter, { projection: { ah: 1, seq: 1 }, session: this.session }).sort({ seq: -1 }).limit(1).toArray();
    const [boundary] = this.archive ? await this.archive.find(filter, { session: this.session }).sort({ seq: -1 }).limit(1).toArray() : [];
    if (boundary && (!last || boundary.seq > last.seq)) {
      return boundary.ah;
    }
    return last?.ah ?? null;
  }

  /** Removes the events at or before the boundary and records it, inside the caller's transaction. */
  async purge(boundary: AuditArchiveBoundary): Promise<number> {
    if (!this.archive) {
      throw new Error('this MongoDB store has no audit_archive collection');
    }
    const { deletedCount } = await this.events.deleteMany({ seq: { $lte: boundary.position } }, { session: this.session });
    if (deletedCount !== boundary.events) {
      // Thrown inside the store's transaction: nothing is removed.
      throw conflict(`the store holds ${deletedCount} AuditEvent versions up to position ${boundary.position}, the archive ${boundary.events}; nothing was purged`);
    }
    await this.archive.insertOne({ _id: boundary.position, seq: boundary.position, ah: boundary.auditHash, at: Date.now() }, { session: this.session });
    return deletedCount;
  }
}

/**
 * Moves the AuditEvents an older server stored as resources (a current and a history document each) into
 * their collection, with their positions, hashes and chain links, at start-up. Each event is inserted
 * before its old documents are removed, so a start stopped half-way leaves nothing lost and the next one
 * goes on. An event has one version (they were never changed); only its current version moves.
 */
export async function moveStoredAuditEvents(current: Collection<CurrentDocument>, versions: Collection<VersionDocument>, events: Collection<AuditEventDocument>): Promise<number> {
  let moved = 0;
  for (;;) {
    const batch = await current.find({ type: auditEventType }).limit(500).toArray();
    if (!batch.length) {
      return moved;
    }
    for (const doc of batch) {
      const version = await versions.findOne({ _id: `${doc._id}/${doc.vid}` });
      if (version && !(await events.findOne({ _id: doc._id }))) {
        const { replaced: _replaced, ...stored } = version;
        // Another process starting at the same moment may have moved it first.
        await events.insertOne({ ...stored, ...doc, key: doc._id }).catch((err: unknown) => {
          if (!(err instanceof MongoServerError && err.code === duplicateKey)) throw err;
        });
      }
      await versions.deleteMany({ key: doc._id });
      await current.deleteMany({ _id: doc._id });
      moved++;
    }
  }
}
