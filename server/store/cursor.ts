// Opaque page cursors: the sort-key values of the last row a page returned, so that the next page
// continues after it (keyset paging) instead of skipping an OFFSET over data that may have changed.
import { badRequest } from '../outcomes';

export type CursorValues = (string | number)[];

export function encodeCursor(values: CursorValues): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, expectedLength: number): CursorValues {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === expectedLength &&
      values.every((v) => typeof v === 'string' || typeof v === 'number')
    ) {
      return values as CursorValues;
    }
  } catch {
    // fall through to the error below
  }
  throw badRequest('Invalid or expired page cursor; start again from the first page', '_cursor');
}
