// A stand-in for the MongoDB adapter's authorization collections where no server runs: the collection
// methods MongoAuthStore uses, evaluated in memory with mingo (its query language, update operators and
// update pipelines), with MongoDB's single-document atomicity (each call runs to its end before any
// other starts), upserts seeded from the filter's equality conditions, and the unique indexes the
// adapter declares (`_id`, and those of mongoAuthIndexes). TTL indexes are not emulated: the store must
// not rely on them, since MongoDB's TTL monitor runs only once a minute.
import { find, updateOne } from 'mingo';
import { MongoServerError, type Document } from 'mongodb';
import { mongoAuthIndexes, type MongoAuthCollections } from '../../server/store/adapters';
import { findCursor, type FindCursorStandIn } from './mingo-cursor';

type Filter = Document;
type Update = Document | Document[];

/** Every collection of the authorization state over fresh, empty documents. */
export function mingoAuthCollections(): MongoAuthCollections {
  const entries = Object.entries(mongoAuthIndexes).map(([name, indexes]) => {
    const unique = [['_id'], ...indexes.filter((i) => i.unique).map((i) => Object.keys(i.key as object))];
    return [name, new MingoAuthCollection(unique)];
  });
  return Object.fromEntries(entries) as unknown as MongoAuthCollections;
}

class MingoAuthCollection {
  private docs: Document[] = [];
  private nextId = 1;

  constructor(private readonly uniqueKeys: string[][]) {}

  async createIndexes(): Promise<string[]> {
    return [];
  }

  async findOne(filter: Filter, options?: { projection?: Document }): Promise<Document | null> {
    return structuredClone(find(this.docs, filter, options?.projection).limit(1).all()[0] ?? null) as Document | null;
  }

  find(filter: Filter, options?: { projection?: Document }): FindCursorStandIn {
    return findCursor(() => find(this.docs, filter, options?.projection));
  }

  async countDocuments(filter: Filter, options?: { limit?: number }): Promise<number> {
    const count = find(this.docs, filter).all().length;
    return options?.limit !== undefined ? Math.min(count, options.limit) : count;
  }

  async insertOne(doc: Document): Promise<{ acknowledged: boolean }> {
    this.store(undefined, { _id: this.nextId++, ...structuredClone(doc) });
    return { acknowledged: true };
  }

  async replaceOne(filter: Filter, doc: Document, options?: { upsert?: boolean }): Promise<{ matchedCount: number }> {
    const at = this.indexOf(filter);
    if (at < 0 && !options?.upsert) {
      return { matchedCount: 0 };
    }
    this.store(at < 0 ? undefined : at, { ...this.seed(filter), ...structuredClone(doc) });
    return { matchedCount: at < 0 ? 0 : 1 };
  }

  async updateOne(filter: Filter, update: Update, options?: { upsert?: boolean }): Promise<{ matchedCount: number }> {
    const at = this.indexOf(filter);
    if (at >= 0 || options?.upsert) {
      this.store(at < 0 ? undefined : at, this.updated(at < 0 ? this.seed(filter) : this.docs[at], update));
    }
    return { matchedCount: at < 0 ? 0 : 1 };
  }

  async findOneAndUpdate(filter: Filter, update: Update, options?: { upsert?: boolean; returnDocument?: 'before' | 'after' }): Promise<Document | null> {
    const at = this.indexOf(filter);
    if (at < 0 && !options?.upsert) {
      return null;
    }
    const before = at < 0 ? null : structuredClone(this.docs[at]);
    const after = this.updated(before ?? this.seed(filter), update);
    this.store(at < 0 ? undefined : at, after);
    return structuredClone(options?.returnDocument === 'after' ? after : before);
  }

  async findOneAndDelete(filter: Filter): Promise<Document | null> {
    const at = this.indexOf(filter);
    return at < 0 ? null : (this.docs.splice(at, 1)[0] ?? null);
  }

  async deleteOne(filter: Filter): Promise<{ deletedCount: number }> {
    const at = this.indexOf(filter);
    if (at >= 0) {
      this.docs.splice(at, 1);
    }
    return { deletedCount: at < 0 ? 0 : 1 };
  }

  async deleteMany(filter: Filter): Promise<{ deletedCount: number }> {
    const gone = new Set(find(this.docs, filter).all());
    this.docs = this.docs.filter((d) => !gone.has(d));
    return { deletedCount: gone.size };
  }

  private indexOf(filter: Filter): number {
    const [match] = find(this.docs, filter).all();
    return match ? this.docs.indexOf(match) : -1;
  }

  /** What an upsert starts from: the filter's equality conditions (MongoDB's rule). */
  private seed(filter: Filter): Document {
    const isCondition = (v: unknown): boolean => typeof v === 'object' && v !== null && !(v instanceof Date) && Object.keys(v).some((k) => k.startsWith('$'));
    return Object.fromEntries(Object.entries(filter).filter(([k, v]) => !k.startsWith('$') && !isCondition(v)));
  }

  /** A copy of `doc` with the update (operators or a pipeline) applied by mingo. */
  private updated(doc: Document, update: Update): Document {
    const copy = [structuredClone(doc)];
    updateOne(copy, {}, update as Parameters<typeof updateOne>[2]);
    return copy[0];
  }

  /** Stores `doc` at `at` (a new document when undefined), unless a unique index already holds its key. */
  private store(at: number | undefined, doc: Document): void {
    for (const fields of this.uniqueKeys) {
      const key = (d: Document): string => JSON.stringify(fields.map((f) => d[f]));
      if (this.docs.some((d, i) => i !== at && key(d) === key(doc))) {
        throw new MongoServerError({ message: `E11000 duplicate key error: ${fields.join(', ')}`, code: 11000, keyPattern: Object.fromEntries(fields.map((f) => [f, 1])) });
      }
    }
    if (at === undefined) {
      this.docs.push(doc);
    } else {
      this.docs[at] = doc;
    }
  }
}
