// Pages end early at a byte limit of their stored JSON (SearchPlan.maxBytes, HistoryQuery.maxBytes),
// alike in every adapter.

/** The leading rows whose stored JSON (`textOf`) fits in maxBytes, and always the first one. */
export function withinBytes<T>(rows: T[], maxBytes: number | undefined, textOf: (row: T) => string | null | undefined): T[] {
  if (maxBytes === undefined) {
    return rows;
  }
  let bytes = 0;
  for (let i = 0; i < rows.length; i++) {
    // UTF-16 length: a lower bound of the UTF-8 bytes, exact for ASCII; counting bytes would cost a pass.
    bytes += textOf(rows[i])?.length ?? 0;
    if (bytes > maxBytes && i > 0) {
      return rows.slice(0, i);
    }
  }
  return rows;
}
