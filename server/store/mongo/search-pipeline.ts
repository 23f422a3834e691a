// Compiles a store-neutral SearchPlan into a MongoDB aggregation pipeline over the current-version
// documents: the filters as one $match, the sort keys (a parameter's lowest value ascending, highest
// descending, computed from the document's own index entries), and keyset paging with the write
// order `seq` as the final tie-breaker, as the SQLite adapter orders (search-sql.ts).
import type { Document } from 'mongodb';
import type { SearchPlan, SortKey } from '../../search/plan';
import { decodeSearchCursor, invalidCursor, type CursorValues } from '../cursor';
import { lastNumber, newestDateParam } from './documents';
import { and, indexField, type CurrentReader, FilterCompiler } from './filters';

export interface CompiledSearch {
  /** The matches, without the cursor: what a total counts. */
  match: Document;
  /** count + 1 documents of the page (in reverse order when `backward`), with the fields a page needs. */
  pipeline: Document[];
  cursorValues(doc: Document): CursorValues;
  /** True when the page is read backwards from a previous-page cursor. */
  backward: boolean;
  /** The compiler, with the plan's restriction, for what _include and _revinclude add. */
  filters: FilterCompiler;
}

/** Resources without a value sort last in either direction (the SQLite adapter's sentinels). */
const lastText = '\u{10FFFF}';

/** The fields a page of results reads: the version, and the references that _include follows. */
export const pageFields = ['type', 'id', 'vid', 'lu', 'seq', 'deleted', 'json', 'idx.ref'];

interface SortColumn {
  /** The document field sorted on (a stored field, or a computed s<i>). */
  field: string;
  /** For a parameter: the expression computing the field. */
  computed?: Document;
  descending: boolean;
}

export async function compileSearch(plan: SearchPlan, reader: CurrentReader): Promise<CompiledSearch> {
  const filters = new FilterCompiler(reader, plan.restriction);
  const match = await filters.matching(plan.resourceType, plan.filters);
  const cursor = plan.cursor ? decodeSearchCursor(plan.cursor, plan.sort.length + 1) : undefined;
  if (cursor?.byKey) {
    // Only the embedded store pages in key order; this adapter never gives such a cursor.
    invalidCursor();
  }
  const backward = !!cursor?.backward;
  // A previous page reads the same order reversed, from its cursor backwards.
  const columns: SortColumn[] = [...plan.sort.map(sortColumn), { field: 'seq', descending: false }].map((c) =>
    backward ? { ...c, descending: !c.descending } : c
  );
  const computed = columns.filter((c) => c.computed);
  const pipeline: Document[] = [{ $match: match }];
  if (computed.length) {
    pipeline.push({ $addFields: Object.fromEntries(computed.map((c) => [c.field, c.computed])) });
  }
  if (cursor) {
    pipeline.push({ $match: keysetCondition(columns, cursor.values) });
  }
  pipeline.push(
    { $sort: Object.fromEntries(columns.map((c) => [c.field, c.descending ? -1 : 1])) },
    { $limit: plan.count + 1 },
    // The cursor reads every sort column from the page's documents, the stored ones (nd) as well.
    { $project: Object.fromEntries([...new Set([...pageFields, ...columns.map((c) => c.field)])].map((f) => [f, 1])) }
  );
  return {
    match,
    pipeline,
    cursorValues: (doc) => columns.map((c) => doc[c.field] as string | number),
    backward,
    filters,
  };
}

/** A sort key as a document field; a parameter's value is computed from the document's own index entries. */
function sortColumn(key: SortKey, i: number): SortColumn {
  if (key.field !== 'param') {
    return { field: key.field === '_id' ? 'id' : 'lu', descending: key.descending };
  }
  const { kind, code } = key.param;
  if (kind === 'date' && code === newestDateParam && key.descending) {
    // Stored on the document (documents.ts, newestDate): the sort reads the token_date index when the
    // search has a code, instead of computing every match's value and sorting them all.
    return { field: 'nd', descending: true };
  }
  const numeric = kind === 'date' || kind === 'number' || kind === 'quantity';
  const value = numeric ? (key.descending ? 'hi' : 'lo') : kind === 'token' ? 'c' : kind === 'reference' ? 'i' : 'v';
  const missing = key.descending ? (numeric ? -lastNumber : '') : numeric ? lastNumber : lastText;
  const values = {
    $map: {
      input: { $filter: { input: { $ifNull: [`$idx.${indexField[kind]}`, []] }, as: 'e', cond: key.parts ? { $in: ['$$e.p', key.parts.map((p) => p.code)] } : { $eq: ['$$e.p', code] } } },
      as: 'e',
      in: `$$e.${value}`,
    },
  };
  return { field: `s${i}`, computed: { $ifNull: [{ [key.descending ? '$max' : '$min']: values }, missing] }, descending: key.descending };
}

/** Documents strictly after the cursor in the given order: (a > x) OR (a = x AND b > y) OR ... */
function keysetCondition(columns: SortColumn[], values: CursorValues): Document {
  const alternatives: Document[] = columns.map((column, i) =>
    and([
      ...columns.slice(0, i).map((c, j) => ({ [c.field]: values[j] })),
      { [column.field]: { [column.descending ? '$lt' : '$gt']: values[i] } },
    ])
  );
  return { $or: alternatives };
}
