// The date walks of a search sorted on one date parameter (search-sql.ts chooses them): the page is
// found by reading a date order and checking the filters per row, stopping once it is full, instead of
// sorting every match. Newest first with a code, the walk follows that code's rows in the token and
// date index (schema.ts, migration 9).
import type { SQLInputValue } from 'node:sqlite';
import type { SearchPlan, SortKey } from '../../search/plan';
import { decodeCursor } from '../cursor';
import type { ParamIdLookup, Sql } from './filter-sql';
import type { CompiledSearch } from './search-sql';
import { matchAnySql } from './value-sql';

/** Resources without a value sort last in either direction: this number ascending, its negative descending. */
export const lastNumber = 1e300;

/** The sort key when a search sorts on exactly one date parameter: such a search walks the date index. */
export function singleDateSort(plan: SearchPlan): (SortKey & { field: 'param' }) | undefined {
  const [key] = plan.sort;
  return plan.sort.length === 1 && key.field === 'param' && key.param.kind === 'date' ? key : undefined;
}

/**
 * _sort on one date parameter without a selective filter: walk the date index in order and check the
 * filters on each resource, so the page is found without sorting every match. A resource counts at its
 * lowest date ascending, its highest descending (the row that is not that value is skipped); resources
 * without a date follow, in write order, as in the general plan (same sentinel in the cursor).
 */
export function dateSortWalk(
  plan: SearchPlan,
  descending: boolean,
  pid: number,
  rest: Sql,
  onIndexRow: Sql | undefined
): Pick<CompiledSearch, 'pageSql' | 'pageParams' | 'cursorValues'> {
  const column = descending ? 'high' : 'low';
  const aggregate = descending ? 'MAX' : 'MIN';
  const index = descending ? 'idx_date_high' : 'idx_date_lookup';
  const walked = onIndexRow ?? rest;
  return walkPage(plan, {
    descending,
    distinct: false,
    dated: {
      from: `idx_date s INDEXED BY ${index} CROSS JOIN resources r ON r.key = s.key`,
      sortColumn: `s.${column}`,
      where: {
        sql:
          `s.param_id = ? AND ${walked.sql}
         AND s.${column} = (SELECT ${aggregate}(x.${column}) FROM idx_date x INDEXED BY idx_date_key WHERE x.key = s.key AND x.param_id = ?)
         AND r.resource_type = ? AND r.deleted = 0`,
        params: [pid, ...walked.params, pid, plan.resourceType],
      },
    },
    undated: {
      from: 'resources r',
      where: {
        sql: `r.resource_type = ? AND r.deleted = 0 AND ${rest.sql}
         AND NOT EXISTS (SELECT 1 FROM idx_date x INDEXED BY idx_date_key WHERE x.key = r.key AND x.param_id = ?)`,
        params: [plan.resourceType, ...rest.params, pid],
      },
    },
  });
}

/** The token filter a newest-first walk by code can follow: one code, positive, on a search sorted by its type's `date` alone. */
export interface CodeWalk {
  /** The filter's position in plan.filters. */
  index: number;
  pid: number;
  match: Sql;
}

/**
 * `_sort=-date` with a positive token filter of one code (any system, one system, or none): the
 * token rows of that code carry their resource's newest `date` (schema.ts, migration 9), indexed with
 * the code, so the walk reads that code's rows newest first and stops once the page is full, however
 * many resources of the type are newer than its matches. Ascending sorts and `:text`, `:of-type` or
 * several codes keep the date walk.
 */
export function newestByCode(plan: SearchPlan, paramId: ParamIdLookup): CodeWalk | undefined {
  const dateSort = singleDateSort(plan);
  if (!dateSort?.descending || dateSort.param.code !== 'date' || dateSort.param.resourceType !== plan.resourceType) {
    return undefined;
  }
  for (const [index, filter] of plan.filters.entries()) {
    if (filter.kind !== 'param' || filter.negate || filter.param.kind !== 'token' || filter.anyOf.length !== 1) {
      continue;
    }
    const [condition] = filter.anyOf;
    if (condition.type !== 'token' || condition.code === undefined || condition.codes || condition.text !== undefined || condition.typeSystem !== undefined) {
      continue;
    }
    const pid = paramId(filter.param.resourceType, filter.param.code);
    if (pid === undefined) {
      continue;
    }
    return { index, pid, match: matchAnySql(filter.anyOf) };
  }
  return undefined;
}

/**
 * The date walk of dateSortWalk, newest first, over the rows of one code in idx_token_date instead of
 * every date of the type: the rows come in the order of their resource's newest date, and a resource
 * whose row repeats the code (two codings, two systems) is kept once. Resources of the code without a
 * date follow, in write order, as in the general plan; the cursor is the same (newest date, seq).
 */
export function codeDateWalk(plan: SearchPlan, walk: CodeWalk, walked: Sql): Pick<CompiledSearch, 'pageSql' | 'pageParams' | 'cursorValues'> {
  // The resources of the code without a date (read only once the dated ones are exhausted) are found
  // from the code's rows too: every row of a resource carries the same date_high.
  const codeRows = (index: string, dated: boolean): WalkedRows => ({
    from: `idx_token t INDEXED BY ${index} CROSS JOIN resources r ON r.key = t.key`,
    where: {
      sql: `t.param_id = ? AND ${walk.match.sql} AND t.date_high IS ${dated ? 'NOT ' : ''}NULL AND ${walked.sql}
         AND r.resource_type = ? AND r.deleted = 0`,
      params: [walk.pid, ...walk.match.params, ...walked.params, plan.resourceType],
    },
  });
  return walkPage(plan, {
    descending: true,
    distinct: true,
    dated: { ...codeRows('idx_token_date', true), sortColumn: 't.date_high' },
    undated: codeRows('idx_token_lookup', false),
  });
}

/** One part of a date walk: the rows read (a FROM clause that joins `resources r`) and the conditions they pass. */
interface WalkedRows {
  from: string;
  where: Sql;
}

/**
 * The page of a date walk: the rows with a date in date order (then write order), after the cursor,
 * followed by those without one in write order (their sort value the sentinel lastNumber, so that the
 * cursor is the same either side), up to the page's size plus one. The keys are chosen first and the
 * versions (their JSON) joined for the page alone: a walk that passes thousands of rows before its page
 * is full would otherwise read each one's JSON.
 */
function walkPage(
  plan: SearchPlan,
  walk: { descending: boolean; distinct: boolean; dated: WalkedRows & { sortColumn: string }; undated: WalkedRows }
): Pick<CompiledSearch, 'pageSql' | 'pageParams' | 'cursorValues'> {
  const { descending, dated, undated } = walk;
  const missing = descending ? -lastNumber : lastNumber;
  const cursor = plan.cursor ? decodeCursor(plan.cursor, 2) : undefined;
  const limit = plan.count + 1;
  const withValue: SQLInputValue[] = [...dated.where.params];
  let keysetA = '';
  if (cursor) {
    // The bound the alternatives imply (<= the cursor's date newest first) comes first, so that the
    // index starts at the cursor: SQLite takes no range from an OR, and page N read the N - 1 pages
    // before it and their resource rows again (the tenth page of a lab code: 2 ms at 1M, docs/performance.md).
    const [before, after] = descending ? ['<', '<='] : ['>', '>='];
    keysetA = ` AND ${dated.sortColumn} ${after} ? AND (${dated.sortColumn} ${before} ? OR (${dated.sortColumn} = ? AND r.seq > ?))`;
    withValue.push(cursor[0], cursor[0], cursor[0], cursor[1]);
  }
  const without: SQLInputValue[] = [...undated.where.params];
  let keysetB = '';
  if (cursor) {
    keysetB = ' AND (? <> ? OR r.seq > ?)';
    without.push(cursor[0], missing, cursor[1]);
  }
  const distinct = walk.distinct ? 'DISTINCT ' : '';
  const direction = descending ? 'DESC' : 'ASC';
  const pageSql =
    `SELECT p.key, v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, p.sort_0, p.sort_1 FROM (
     SELECT * FROM (SELECT ${distinct}r.key, r.seq AS current_seq, ${dated.sortColumn} AS sort_0, r.seq AS sort_1
       FROM ${dated.from}
       WHERE ${dated.where.sql}${keysetA}
       ORDER BY ${dated.sortColumn} ${direction}, r.seq ASC LIMIT ?)
     UNION ALL
     SELECT * FROM (SELECT ${distinct}r.key, r.seq AS current_seq, ${missing} AS sort_0, r.seq AS sort_1
       FROM ${undated.from}
       WHERE ${undated.where.sql}${keysetB}
       ORDER BY r.seq LIMIT ?)
     LIMIT ?) p
     JOIN resource_versions v ON v.seq = p.current_seq
     ORDER BY p.sort_0 ${direction}, p.sort_1 ASC`;
  return {
    pageSql,
    pageParams: [...withValue, limit, ...without, limit, limit],
    cursorValues: (row) => [row.sort_0 as number, row.sort_1 as number],
  };
}
