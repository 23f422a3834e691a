// The indexes the plans need, created idempotently at every start-up (createIndexes with the same
// name and keys is a no-op). docs/storage-mongo.md says which query each one answers.
import type { Collection, Db, Document, IndexDescription } from 'mongodb';
import type { IndexEntries } from '../../search/indexing/types';
import { collections, newestDate, type IndexDocument } from './documents';

/**
 * On the current versions: the orders a search walks (write order, _id, _lastUpdated) per type; one
 * multikey index per kind of search value, led by the type and the parameter so that an $elemMatch
 * finds its entries by range; references also by target alone (_revinclude, _has, referential
 * integrity look across types); unique business identifiers.
 */
export const currentIndexes: IndexDescription[] = [
  { name: 'type_order', key: { type: 1, deleted: 1, seq: 1 } },
  { name: 'type_id', key: { type: 1, deleted: 1, id: 1 } },
  { name: 'type_updated', key: { type: 1, deleted: 1, lu: 1 } },
  { name: 'string', key: { type: 1, 'idx.str.p': 1, 'idx.str.v': 1 } },
  { name: 'token', key: { type: 1, 'idx.tok.p': 1, 'idx.tok.c': 1, 'idx.tok.s': 1 } },
  // `code=…&_sort=-date`: one code's documents newest first (nd, documents.ts), then in write order.
  { name: 'token_date', key: { type: 1, 'idx.tok.p': 1, 'idx.tok.c': 1, nd: -1, seq: 1 } },
  { name: 'token_text', key: { type: 1, 'idx.tok.p': 1, 'idx.tok.t': 1 }, sparse: true },
  { name: 'date', key: { type: 1, 'idx.date.p': 1, 'idx.date.lo': 1, 'idx.date.hi': 1 } },
  { name: 'number', key: { type: 1, 'idx.num.p': 1, 'idx.num.lo': 1 } },
  { name: 'quantity', key: { type: 1, 'idx.qty.p': 1, 'idx.qty.c': 1, 'idx.qty.lo': 1 } },
  { name: 'quantity_canonical', key: { type: 1, 'idx.qty.p': 1, 'idx.qty.cc': 1, 'idx.qty.clo': 1 }, sparse: true },
  { name: 'reference', key: { type: 1, 'idx.ref.p': 1, 'idx.ref.k': 1 } },
  { name: 'reference_target', key: { 'idx.ref.k': 1, 'idx.ref.p': 1 } },
  { name: 'reference_id', key: { type: 1, 'idx.ref.p': 1, 'idx.ref.i': 1 } },
  { name: 'reference_url', key: { type: 1, 'idx.ref.p': 1, 'idx.ref.url': 1 }, sparse: true },
  { name: 'uri', key: { type: 1, 'idx.uri.p': 1, 'idx.uri.v': 1 } },
  { name: 'composite', key: { type: 1, 'idx.comp.p': 1, 'idx.comp.a0': 1 } },
  // Values unique among the current resources of a type; a document without any is not in the index.
  { name: 'unique_identifier', key: { type: 1, uq: 1 }, unique: true, partialFilterExpression: { uq: { $exists: true } } },
];

/** On every version: one resource's history, a type's, the system's (newest first), and _since. */
export const historyIndexes: IndexDescription[] = [
  { name: 'resource_versions', key: { key: 1, seq: -1 } },
  { name: 'type_history', key: { type: 1, seq: -1 } },
  { name: 'system_history', key: { seq: -1 } },
];

/**
 * On AuditEvents (audit-events.ts), each at once its current document and its only version: the write
 * order (history, the chains, a search's default order) and the values auditors and patients search by
 * (date, the token parameters, references, by parameter and by target for _revinclude).
 */
export const auditEventIndexes: IndexDescription[] = [
  { name: 'event_order', key: { seq: -1 } },
  { name: 'type_order', key: { type: 1, deleted: 1, seq: 1 } },
  { name: 'date', key: { type: 1, 'idx.date.p': 1, 'idx.date.lo': 1, 'idx.date.hi': 1 } },
  { name: 'token', key: { type: 1, 'idx.tok.p': 1, 'idx.tok.c': 1, 'idx.tok.s': 1 } },
  { name: 'reference', key: { type: 1, 'idx.ref.p': 1, 'idx.ref.k': 1 } },
  { name: 'reference_target', key: { 'idx.ref.k': 1, 'idx.ref.p': 1 } },
];

/**
 * Stores `nd` (documents.ts, newestDate) on the current documents written before it was kept, once: a
 * document without it would sort as if it had no date. Each is read and updated by itself, so that the
 * same code runs on any MongoDB version (and on the tests' mingo backend); a store written since has none to do.
 */
export async function storeNewestDates(current: Collection<Document>): Promise<number> {
  const missing = await current.find({ deleted: false, nd: { $exists: false } }, { projection: { _id: 1, 'idx.date': 1 } }).toArray();
  for (const doc of missing) {
    const dates = ((doc.idx as IndexDocument | undefined)?.date ?? []).map((d) => ({ param: d.p, low: d.lo, high: d.hi }));
    await current.updateOne({ _id: doc._id }, { $set: { nd: newestDate({ dates } as IndexEntries) } });
  }
  return missing.length;
}

export async function ensureIndexes(db: Db): Promise<void> {
  await db.collection(collections.current).createIndexes(currentIndexes);
  await db.collection(collections.history).createIndexes(historyIndexes);
  await db.collection(collections.auditEvents).createIndexes(auditEventIndexes);
}
