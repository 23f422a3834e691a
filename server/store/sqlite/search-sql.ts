// Compiles a store-neutral SearchPlan into SQLite: filters over the current-version rows, ordering by
// the sort keys, and keyset paging with the write sequence as the final tie-breaker.
import type { SQLInputValue } from 'node:sqlite';
import type { SearchPlan, SortKey } from '../../search/plan';
import { decodeCursor, type CursorValues } from '../cursor';
import { FilterCompiler, tableOf, type ParamIdLookup } from './filter-sql';

export interface CompiledSearch {
  pageSql: string;
  pageParams: SQLInputValue[];
  /** Present when the plan asks for a counted total. */
  countSql?: string;
  countParams: SQLInputValue[];
  /** The cursor values of a returned row (the row carries the sort columns as sort_0, sort_1...). */
  cursorValues(row: Record<string, SQLInputValue>): CursorValues;
}

interface SortColumn {
  expr: string;
  params: SQLInputValue[];
  descending: boolean;
}

/** Resources without a value sort last in either direction. */
const lastNumber = 1e300;
const lastText = '\u{10FFFF}';

export function compileSearch(plan: SearchPlan, paramId: ParamIdLookup): CompiledSearch {
  const filters = new FilterCompiler(paramId).all(plan.filters, 'r');
  const where: string[] = ['r.resource_type = ?', 'r.deleted = 0', filters.sql];
  const params: SQLInputValue[] = [plan.resourceType, ...filters.params];
  const countWhere = [...where];
  const countParams = [...params];

  // The write sequence ends every ordering, so that the order (and the cursor) is total.
  const columns: SortColumn[] = [
    ...plan.sort.map((s) => sortColumn(s, paramId)),
    { expr: 'r.seq', params: [], descending: false },
  ];
  if (plan.cursor) {
    const after = keysetCondition(columns, decodeCursor(plan.cursor, columns.length));
    where.push(after.sql);
    params.push(...after.params);
  }
  const sortSelect = columns.map((c, i) => `${c.expr} AS sort_${i}`).join(', ');
  const orderBy = columns.map((_, i) => `sort_${i} ${columns[i].descending ? 'DESC' : 'ASC'}`).join(', ');
  const pageSql =
    `SELECT r.key, v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, ${sortSelect}
     FROM resources r JOIN resource_versions v ON v.seq = r.seq
     WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ?`;
  const counted = plan.total === 'accurate' || plan.total === 'estimate';
  return {
    pageSql,
    pageParams: [...columns.flatMap((c) => c.params), ...params, plan.count + 1],
    countSql: counted ? `SELECT count(*) AS total FROM resources r WHERE ${countWhere.join(' AND ')}` : undefined,
    countParams,
    cursorValues: (row) => columns.map((_, i) => row[`sort_${i}`] as string | number),
  };
}

/** The value a resource sorts by for a search parameter: its lowest value ascending, highest descending. */
function sortColumn(key: SortKey, paramId: ParamIdLookup): SortColumn {
  if (key.field !== 'param') {
    return { expr: key.field === '_id' ? 'r.id' : 'r.last_updated', params: [], descending: key.descending };
  }
  const { kind } = key.param;
  const pid = paramId(key.param.resourceType, key.param.code) ?? -1;
  const numeric = kind === 'date' || kind === 'number' || kind === 'quantity';
  const column = numeric ? (key.descending ? 'high' : 'low') : kind === 'token' ? 'code' : kind === 'reference' ? 'target_id' : 'value';
  const aggregate = key.descending ? 'MAX' : 'MIN';
  const missing = key.descending ? (numeric ? -lastNumber : "''") : numeric ? lastNumber : `'${lastText}'`;
  return {
    expr: `COALESCE((SELECT ${aggregate}(${column}) FROM ${tableOf[kind]} s WHERE s.key = r.key AND s.param_id = ?), ${missing})`,
    params: [pid],
    descending: key.descending,
  };
}

/** Rows strictly after the cursor in the given order: (a > x) OR (a = x AND b > y) OR ... */
function keysetCondition(columns: SortColumn[], values: CursorValues): { sql: string; params: SQLInputValue[] } {
  const alternatives: string[] = [];
  const params: SQLInputValue[] = [];
  for (let i = 0; i < columns.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${columns[j].expr} = ?`);
      params.push(...columns[j].params, values[j]);
    }
    parts.push(`${columns[i].expr} ${columns[i].descending ? '<' : '>'} ?`);
    params.push(...columns[i].params, values[i]);
    alternatives.push(`(${parts.join(' AND ')})`);
  }
  return { sql: `(${alternatives.join(' OR ')})`, params };
}
