// Compiles a store-neutral SearchPlan into SQLite: filters over the current-version index, keyset
// paging on the sort keys with the write sequence as the final tie-breaker.
import type { SQLInputValue } from 'node:sqlite';
import { dateConditionBounds } from '../../search/date-bounds';
import type { Filter, SearchPlan, SortKey } from '../../search/plan';
import { decodeCursor, type CursorValues } from '../cursor';

export interface CompiledSearch {
  pageSql: string;
  pageParams: SQLInputValue[];
  countSql?: string;
  countParams: SQLInputValue[];
  /** The cursor values of a returned row (the row carries the sort columns under sort_0, sort_1...). */
  cursorValues(row: Record<string, SQLInputValue>): CursorValues;
}

interface SortColumn {
  expr: string;
  descending: boolean;
}

const sortExpressions: Record<SortKey['field'], string> = {
  _id: 'c.id',
  _lastUpdated: 'c.last_updated',
};

export function compileSearch(plan: SearchPlan): CompiledSearch {
  const where: string[] = ['c.resource_type = ?', 'c.deleted = 0'];
  const params: SQLInputValue[] = [plan.resourceType];
  for (const filter of plan.filters) {
    const clause = compileFilter(filter);
    where.push(clause.sql);
    params.push(...clause.params);
  }
  const countWhere = [...where];
  const countParams = [...params];

  // The write sequence ends every ordering, so that the order (and the cursor) is total.
  const columns: SortColumn[] = [
    ...plan.sort.map((s) => ({ expr: sortExpressions[s.field], descending: s.descending })),
    { expr: 'c.seq', descending: false },
  ];
  if (plan.cursor) {
    const after = keysetCondition(columns, decodeCursor(plan.cursor, columns.length));
    where.push(after.sql);
    params.push(...after.params);
  }
  const sortSelect = columns.map((c, i) => `${c.expr} AS sort_${i}`).join(', ');
  const orderBy = columns.map((c) => `${c.expr} ${c.descending ? 'DESC' : 'ASC'}`).join(', ');
  const pageSql =
    `SELECT v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, ${sortSelect}
     FROM current_resources c JOIN resource_versions v ON v.seq = c.seq
     WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ?`;
  return {
    pageSql,
    pageParams: [...params, plan.count + 1],
    countSql:
      plan.total === 'none' ? undefined : `SELECT count(*) AS total FROM current_resources c WHERE ${countWhere.join(' AND ')}`,
    countParams,
    cursorValues: (row) => columns.map((_, i) => row[`sort_${i}`] as string | number),
  };
}

function compileFilter(filter: Filter): { sql: string; params: SQLInputValue[] } {
  switch (filter.kind) {
    case 'id':
      return { sql: `c.id IN (${filter.ids.map(() => '?').join(', ')})`, params: filter.ids };
    case 'lastUpdated': {
      // A stored lastUpdated is an instant: the range [t, t + 1 ms).
      const fields = { low: 'c.last_updated', high: '(c.last_updated + 1)' };
      const params: SQLInputValue[] = [];
      const alternatives = filter.anyOf.flatMap((condition) =>
        dateConditionBounds(condition).map((bounds) => {
          params.push(...bounds.map((b) => b.value));
          return '(' + bounds.map((b) => `${fields[b.field]} ${b.op} ?`).join(' AND ') + ')';
        })
      );
      return { sql: `(${alternatives.join(' OR ')})`, params };
    }
  }
}

/** Rows strictly after the cursor in the given order: (a > x) OR (a = x AND b > y) OR ... */
function keysetCondition(columns: SortColumn[], values: CursorValues): { sql: string; params: SQLInputValue[] } {
  const alternatives: string[] = [];
  const params: SQLInputValue[] = [];
  for (let i = 0; i < columns.length; i++) {
    const parts: string[] = [];
    for (let j = 0; j < i; j++) {
      parts.push(`${columns[j].expr} = ?`);
      params.push(values[j]);
    }
    parts.push(`${columns[i].expr} ${columns[i].descending ? '<' : '>'} ?`);
    params.push(values[i]);
    alternatives.push(`(${parts.join(' AND ')})`);
  }
  return { sql: `(${alternatives.join(' OR ')})`, params };
}
