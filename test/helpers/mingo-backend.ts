// A stand-in for a MongoDB database where no server runs: the collection methods the MongoDB adapter
// uses, evaluated in memory with mingo (an implementation of MongoDB's query language), with the
// adapter's unique indexes (`_id`; `type` + `uq`), plus the authorization collections
// (mingo-auth-collections.ts). Transactions are emulated, not MongoDB's: they run one at a time on a
// copy of the committed documents that replaces them on success, so they are isolated and atomic but
// never conflict. Reads outside a transaction see the committed documents.
import { find, Aggregator } from 'mingo';
import { MongoServerError, type ClientSession, type Collection, type Document } from 'mongodb';
import type { MongoStoreBackend } from '../../server/store/adapters';
import { mingoAuthCollections } from './mingo-auth-collections';
import { copied, findCursor, type FindCursorStandIn } from './mingo-cursor';

type Documents = { current: Document[]; versions: Document[]; auditArchive: Document[]; auditEvents: Document[] };
type Options = { session?: ClientSession; projection?: Document };

export function mingoBackend(): MongoStoreBackend {
  let committed: Documents = { current: [], versions: [], auditArchive: [], auditEvents: [] };
  const open = new Map<ClientSession, Documents>();
  let queue: Promise<unknown> = Promise.resolve();
  const documents = (name: keyof Documents, options?: Options): Document[] =>
    (options?.session ? open.get(options.session) : undefined)?.[name] ?? committed[name];
  const collection = (name: keyof Documents): Collection<Document> => new MingoCollection((options) => documents(name, options), name === 'current') as unknown as Collection<Document>;
  return {
    current: collection('current'),
    versions: collection('versions'),
    auditArchive: collection('auditArchive'),
    auditEvents: collection('auditEvents'),
    // The authorization state is written outside transactions, one atomic document at a time.
    auth: mingoAuthCollections(),
    transactions: <T>(work: (session: ClientSession) => Promise<T>): Promise<T> => {
      const run = queue.then(async () => {
        const session = {} as ClientSession;
        const view = structuredClone(committed);
        open.set(session, view);
        try {
          const result = await work(session);
          committed = view;
          return result;
        } finally {
          open.delete(session);
        }
      });
      queue = run.catch(() => undefined);
      return run;
    },
    close: async () => undefined,
  } as unknown as MongoStoreBackend;
}


class MingoCollection {
  constructor(
    private readonly docs: (options?: Options) => Document[],
    private readonly uniqueIdentifiers: boolean
  ) {}

  async findOne(query: Document, options?: Options): Promise<Document | null> {
    return copied(this.query(query, options).limit(1).all())[0] ?? null;
  }

  find(query: Document, options?: Options): FindCursorStandIn {
    return findCursor(() => this.query(query, options));
  }

  aggregate(pipeline: Document[], options?: Options): { toArray(): Promise<Document[]> } {
    return { toArray: async () => copied(new Aggregator(pipeline).run(this.docs(options))) };
  }

  async countDocuments(query: Document, options?: Options): Promise<number> {
    return find(this.docs(options), query).all().length;
  }

  async insertOne(doc: Document, options?: Options): Promise<{ acknowledged: boolean }> {
    const docs = this.docs(options);
    this.checkUnique(doc, docs);
    docs.push(structuredClone(doc));
    return { acknowledged: true };
  }

  /** Ordered, as the adapter asks: in turn, stopping at the first duplicate key (those before it stay, as MongoDB's do). */
  async insertMany(docs: Document[], options?: Options): Promise<{ acknowledged: boolean; insertedCount: number }> {
    for (const doc of docs) {
      await this.insertOne(doc, options);
    }
    return { acknowledged: true, insertedCount: docs.length };
  }

  async replaceOne(query: Document, doc: Document, options?: Options): Promise<{ matchedCount: number }> {
    const docs = this.docs(options);
    const [match] = find(docs, query).all();
    if (!match) {
      return { matchedCount: 0 };
    }
    const at = docs.findIndex((d) => d._id === match._id);
    this.checkUnique(doc, docs.filter((_, i) => i !== at));
    docs[at] = structuredClone(doc);
    return { matchedCount: 1 };
  }

  async updateOne(query: Document, update: { $set: Document }, options?: Options): Promise<{ matchedCount: number }> {
    const docs = this.docs(options);
    const [match] = find(docs, query).all();
    if (!match) {
      return { matchedCount: 0 };
    }
    const at = docs.findIndex((d) => d._id === match._id);
    docs[at] = { ...docs[at], ...structuredClone(update.$set) };
    return { matchedCount: 1 };
  }

  async deleteMany(query: Document, options?: Options): Promise<{ deletedCount: number }> {
    const docs = this.docs(options);
    const gone = new Set(find(docs, query).all().map((d) => d._id));
    const kept = docs.filter((d) => !gone.has(d._id));
    docs.splice(0, docs.length, ...kept);
    return { deletedCount: gone.size };
  }

  private query(query: Document, options?: Options): ReturnType<typeof find> {
    return find(this.docs(options), query, options?.projection);
  }

  /** The adapter's unique indexes: `_id`, and on the current versions `type` + each of `uq`. */
  private checkUnique(doc: Document, others: Document[]): void {
    if (others.some((d) => d._id === doc._id)) {
      throw new MongoServerError({ message: `E11000 duplicate key error: _id ${doc._id}`, code: 11000, keyPattern: { _id: 1 } });
    }
    const uq = (doc.uq ?? []) as string[];
    if (this.uniqueIdentifiers && others.some((d) => d.type === doc.type && ((d.uq ?? []) as string[]).some((u) => uq.includes(u)))) {
      throw new MongoServerError({ message: 'E11000 duplicate key error: type, uq', code: 11000, keyPattern: { type: 1, uq: 1 } });
    }
  }
}
