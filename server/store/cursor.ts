// Opaque page cursors: the sort-key values of the last row a page returned, so that the next page
// continues after it (keyset paging) instead of skipping an OFFSET over data that may have changed.
// A search cursor can also point backwards: the first row of a page, for its previous page.
import { badRequest } from '../outcomes';

export type CursorValues = (string | number)[];

export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, expectedLength: number): CursorValues {
  return checkValues(parseCursor(cursor), expectedLength);
}

function parseCursor(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function checkValues(values: unknown, expectedLength: number): CursorValues {
  if (
    Array.isArray(values) &&
    values.length === expectedLength &&
    values.every((v) => typeof v === 'string' || typeof v === 'number')
  ) {
    return values as CursorValues;
  }
  return invalidCursor();
}

/** A cursor this store did not give, or not for this search: 400. */
export function invalidCursor(): never {
  throw badRequest('Invalid or expired page cursor; start again from the first page', '_cursor');
}

export interface SearchCursor {
  /** True for a previous-page cursor: the rows before `values`, in reverse order. */
  backward: boolean;
  /**
   * True when the pages follow the store's resource handle rather than the write sequence (a search
   * without _sort driven from one filter's keys, server/store/sqlite/search-sql.ts): the next pages
   * keep that order, whatever plan their own estimates would pick.
   */
  byKey?: boolean;
  values: CursorValues;
}

const backwardMark = '<';
const keyMark = 'k';

export function encodeSearchCursor(cursor: SearchCursor): string {
  return encodeCursor([...(cursor.backward ? [backwardMark] : []), ...(cursor.byKey ? [keyMark] : []), ...cursor.values]);
}

export function decodeSearchCursor(cursor: string, expectedLength: number): SearchCursor {
  const parsed = parseCursor(cursor);
  const backward = Array.isArray(parsed) && parsed[0] === backwardMark;
  const values: unknown = backward ? (parsed as unknown[]).slice(1) : parsed;
  // The key mark is one value more than the sort keys: a sort value that happens to read 'k' is not it.
  if (Array.isArray(values) && values[0] === keyMark && values.length === expectedLength + 1) {
    return { backward, byKey: true, values: checkValues(values.slice(1), expectedLength) };
  }
  return { backward, values: checkValues(values, expectedLength) };
}
