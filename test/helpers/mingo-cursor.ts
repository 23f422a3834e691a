// The part of the driver's find cursor the MongoDB adapter uses, over mingo's, for the stand-ins of a
// MongoDB database (mingo-backend.ts, mingo-auth-collections.ts).
import type { find } from 'mingo';
import type { Document } from 'mongodb';

/** The part of a driver's FindCursor the adapter uses. */
export interface FindCursorStandIn {
  sort(s: Document): FindCursorStandIn;
  limit(n: number): FindCursorStandIn;
  toArray(): Promise<Document[]>;
}

/** A find cursor over mingo's: sorted and limited when it is read, as a driver's is. */
export function findCursor(query: () => ReturnType<typeof find>): FindCursorStandIn {
  let sort: Document | undefined;
  let limit: number | undefined;
  const cursor: FindCursorStandIn = {
    sort: (s) => ((sort = s), cursor),
    limit: (n) => ((limit = n), cursor),
    toArray: async () => {
      let c = query();
      c = sort ? c.sort(sort) : c;
      return copied((limit !== undefined ? c.limit(limit) : c).all());
    },
  };
  return cursor;
}

/** Documents are copied out, as a driver's are: the caller never holds the stored ones. */
export function copied(docs: unknown[]): Document[] {
  return structuredClone(docs) as Document[];
}
