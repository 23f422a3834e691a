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
  throw badRequest('Invalid or expired page cursor; start again from the first page', '_cursor');
}

export interface SearchCursor {
  /** True for a previous-page cursor: the rows before `values`, in reverse order. */
  backward: boolean;
  values: CursorValues;
}

const backwardMark = '<';

export function encodeSearchCursor(cursor: SearchCursor): string {
  return encodeCursor(cursor.backward ? [backwardMark, ...cursor.values] : cursor.values);
}

export function decodeSearchCursor(cursor: string, expectedLength: number): SearchCursor {
  const values = parseCursor(cursor);
  if (Array.isArray(values) && values[0] === backwardMark) {
    return { backward: true, values: checkValues(values.slice(1), expectedLength) };
  }
  return { backward: false, values: checkValues(values, expectedLength) };
}
