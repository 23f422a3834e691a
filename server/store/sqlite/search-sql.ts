// Compiles a store-neutral SearchPlan into SQLite: filters over the current-version rows, ordering by
// the sort keys, and keyset paging with the write sequence as the final tie-breaker.
import type { SQLInputValue } from 'node:sqlite';
import type { SearchPlan, SortKey } from '../../search/plan';
import { decodeCursor, decodeSearchCursor, type CursorValues } from '../cursor';
import { compileTotal, testsKeyOnly } from './count-sql';
import { FilterCompiler, tableOf, type ParamIdLookup, type Sql } from './filter-sql';

export interface CompiledSearch {
  pageSql: string;
  pageParams: SQLInputValue[];
  /** Present when the plan asks for a counted total. */
  countSql?: string;
  countParams: SQLInputValue[];
  /** The cursor values of a returned row (the row carries the sort columns as sort_0, sort_1...). */
  cursorValues(row: Record<string, SQLInputValue>): CursorValues;
  /** True when the page is read backwards from a previous-page cursor: the rows come in reverse order. */
  backward: boolean;
}

interface SortColumn {
  expr: string;
  params: SQLInputValue[];
  descending: boolean;
}

/** Resources without a value sort last in either direction. */
const lastNumber = 1e300;
const lastText = '\u{10FFFF}';

/** What the planner asks the database before it picks a plan. */
export interface RowEstimator {
  /** How many rows a subquery yields, counted up to a limit (see driverLimit). */
  rows(subquery: Sql, limit: number): number;
  /** About how many current resources of a type there are (a recent count is good enough). */
  typeSize(resourceType: string): number;
}

/**
 * A filter matching fewer keys than this may drive the search: its keys are read first and the other
 * filters are checked on each. Otherwise the search walks its sort order and checks every filter per
 * row, stopping once the page is full.
 */
export const driverLimit = 2000;

/**
 * Reading, joining and sorting a driven key costs about as much as checking a walked row (both ~1 µs
 * here: a 1,900-key driver answered in 2.85 ms at 10k where a walk over ~110 rows took 0.81 ms at
 * 100k); a driven key is counted twice for the sort and the page it builds in full.
 */
const drivenRowCost = 2;

export function compileSearch(plan: SearchPlan, paramId: ParamIdLookup, estimate?: RowEstimator): CompiledSearch {
  const planner = new FilterCompiler(paramId, plan.restriction);
  const candidates = driverCandidates(plan, planner);
  const choice = estimate ? chooseDriver(plan, candidates, estimate) : undefined;
  const driver = choice?.drives ? choice.best : undefined;
  // Driven or by id, the rows are few: the restriction's chains and _has are checked per row too.
  const byId = plan.filters.some((f) => f.kind === 'id' && !f.negate);
  const compiler = driver || byId ? new FilterCompiler(paramId, plan.restriction, true) : planner;
  const filtered = compiler.all(
    plan.filters.filter((_, i) => i !== driver?.index),
    'r'
  );
  // What the caller may not see is left out inside the query, so that pages are full and totals right.
  const visible = compiler.visible(plan.resourceType, 'r');
  const rest: Sql = { sql: `${filtered.sql} AND ${visible.sql}`, params: [...filtered.params, ...visible.params] };
  const where: string[] = ['r.resource_type = ?', 'r.deleted = 0', rest.sql];
  const params: SQLInputValue[] = [plan.resourceType, ...rest.params];
  const from = driver
    ? `(SELECT DISTINCT key FROM (${driver.sql.sql})) d CROSS JOIN resources r ON r.key = d.key`
    : 'resources r';
  const fromParams = driver ? driver.sql.params : [];
  const count = compileTotal(plan, compiler, { candidates, chosen: choice?.best, selective: !!driver, typeSize: estimate?.typeSize(plan.resourceType) });
  const countSql = count?.sql;
  const countParams = count?.params ?? [];
  const dateSort = singleDateSort(plan);
  const columnCount = plan.sort.length + 1;
  const cursor = plan.cursor ? decodeSearchCursor(plan.cursor, columnCount) : undefined;
  // Previous pages take the general plan; the date walk only reads forwards.
  if (!driver && !cursor?.backward && dateSort) {
    const pid = paramId(dateSort.param.resourceType, dateSort.param.code);
    if (pid !== undefined) {
      // Filters that read only the key are checked on the date index's row itself, before its resource
      // row is read: most walked rows fail them.
      const onIndexRow = visible.sql === '1' && plan.filters.every(testsKeyOnly) ? compiler.all(plan.filters, 's') : undefined;
      return { ...dateSortWalk(plan, dateSort.descending, pid, rest, onIndexRow), countSql, countParams, backward: false };
    }
  }
  const backward = !!cursor?.backward;

  // The write sequence ends every ordering, so that the order (and the cursor) is total. A previous
  // page reads the same order reversed, from its cursor backwards.
  const columns: SortColumn[] = [
    ...plan.sort.map((s) => sortColumn(s, paramId)),
    { expr: 'r.seq', params: [], descending: false },
  ].map((c) => (backward ? { ...c, descending: !c.descending } : c));
  if (cursor) {
    const after = keysetCondition(columns, cursor.values);
    where.push(after.sql);
    params.push(...after.params);
  }
  const sortSelect = columns.map((c, i) => `${c.expr} AS sort_${i}`).join(', ');
  const orderBy = columns.map((_, i) => `sort_${i} ${columns[i].descending ? 'DESC' : 'ASC'}`).join(', ');
  // The page is chosen on keys and sort values only; the resources' JSON is read for that page alone.
  const pageSql =
    `SELECT p.key, v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, ${columns.map((_, i) => `p.sort_${i}`).join(', ')}
     FROM (SELECT r.key, r.seq AS current_seq, ${sortSelect} FROM ${from}
           WHERE ${where.join(' AND ')} ORDER BY ${orderBy} LIMIT ?) p
     JOIN resource_versions v ON v.seq = p.current_seq
     ORDER BY ${orderBy}`;
  return {
    pageSql,
    pageParams: [...columns.flatMap((c) => c.params), ...fromParams, ...params, plan.count + 1],
    countSql,
    countParams,
    cursorValues: (row) => columns.map((_, i) => row[`sort_${i}`] as string | number),
    backward,
  };
}

/**
 * _sort on one date parameter without a selective filter: walk the date index in order and check the
 * filters on each resource, so the page is found without sorting every match. A resource counts at its
 * lowest date ascending, its highest descending (the row that is not that value is skipped); resources
 * without a date follow, in write order, as in the general plan (same sentinel in the cursor).
 */
function dateSortWalk(
  plan: SearchPlan,
  descending: boolean,
  pid: number,
  rest: Sql,
  onIndexRow: Sql | undefined
): Pick<CompiledSearch, 'pageSql' | 'pageParams' | 'cursorValues'> {
  const column = descending ? 'high' : 'low';
  const aggregate = descending ? 'MAX' : 'MIN';
  const missing = descending ? -lastNumber : lastNumber;
  const index = descending ? 'idx_date_high' : 'idx_date_lookup';
  const cursor = plan.cursor ? decodeCursor(plan.cursor, 2) : undefined;
  const limit = plan.count + 1;
  const walked = onIndexRow ?? rest;
  const withValue: SQLInputValue[] = [pid, ...walked.params, pid, plan.resourceType];
  let keysetA = '';
  if (cursor) {
    keysetA = ` AND (s.${column} ${descending ? '<' : '>'} ? OR (s.${column} = ? AND r.seq > ?))`;
    withValue.push(cursor[0], cursor[0], cursor[1]);
  }
  const without: SQLInputValue[] = [plan.resourceType, ...rest.params, pid];
  let keysetB = '';
  if (cursor) {
    keysetB = ' AND (? <> ? OR r.seq > ?)';
    without.push(cursor[0], missing, cursor[1]);
  }
  const direction = descending ? 'DESC' : 'ASC';
  // The keys are chosen first and the versions (their JSON) joined for the page alone: a walk that
  // passes thousands of rows before its page is full would otherwise read each one's JSON.
  const pageSql =
    `SELECT p.key, v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, p.sort_0, p.sort_1 FROM (
     SELECT * FROM (SELECT r.key, r.seq AS current_seq, s.${column} AS sort_0, r.seq AS sort_1
       FROM idx_date s INDEXED BY ${index} CROSS JOIN resources r ON r.key = s.key
       WHERE s.param_id = ? AND ${walked.sql}
         AND s.${column} = (SELECT ${aggregate}(x.${column}) FROM idx_date x INDEXED BY idx_date_key WHERE x.key = s.key AND x.param_id = ?)
         AND r.resource_type = ? AND r.deleted = 0${keysetA}
       ORDER BY s.${column} ${direction}, r.seq ASC LIMIT ?)
     UNION ALL
     SELECT * FROM (SELECT r.key, r.seq AS current_seq, ${missing} AS sort_0, r.seq AS sort_1
       FROM resources r
       WHERE r.resource_type = ? AND r.deleted = 0 AND ${rest.sql}
         AND NOT EXISTS (SELECT 1 FROM idx_date x INDEXED BY idx_date_key WHERE x.key = r.key AND x.param_id = ?)${keysetB}
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

/** A filter that can be read as a list of keys: the search may be driven from it, and a count always is. */
export interface DriverCandidate {
  /** The filter's position in plan.filters. */
  index: number;
  /** The keys of the matching resources (a key may repeat). */
  sql: Sql;
  /** What the planner counts to estimate its size: the keys themselves, or an upper bound cheaper to count. */
  estimate: Sql;
  /** The keys are of current, non-deleted resources of the searched type only (read from the search index). */
  currentOnly: boolean;
}

function driverCandidates(plan: SearchPlan, compiler: FilterCompiler): DriverCandidate[] {
  const candidates: DriverCandidate[] = [];
  plan.filters.forEach((filter, index) => {
    if (filter.kind === 'param' || filter.kind === 'chain') {
      const sql = filter.kind === 'param' ? compiler.driverSql(filter) : compiler.chainReferences(filter);
      if (sql) {
        candidates.push({ index, sql, estimate: sql, currentOnly: true });
      }
    } else if (filter.kind === 'has') {
      const targets = compiler.hasTargets(filter, plan.resourceType);
      if (targets) {
        candidates.push({ index, sql: targets.sql, estimate: targets.sources, currentOnly: true });
      }
    } else if (filter.kind === 'id' && !filter.negate) {
      const sql = {
        sql: `SELECT key FROM resources WHERE resource_type = ? AND id IN (${filter.ids.map(() => '?').join(', ')})`,
        params: [plan.resourceType, ...filter.ids],
      };
      candidates.push({ index, sql, estimate: sql, currentOnly: false });
    }
  });
  return candidates;
}

/**
 * The most selective candidate, if one matches fewer than driverLimit; `drives` when reading its keys
 * beats walking the sort order for the page.
 */
function chooseDriver(
  plan: SearchPlan,
  candidates: DriverCandidate[],
  estimate: RowEstimator
): { best: DriverCandidate; drives: boolean } | undefined {
  let best: { candidate: DriverCandidate; rows: number } | undefined;
  for (const candidate of candidates) {
    const rows = estimate.rows(candidate.estimate, best ? best.rows : driverLimit);
    if (rows < (best ? best.rows : driverLimit)) {
      best = { candidate, rows };
    }
  }
  if (!best) {
    return undefined;
  }
  return { best: best.candidate, drives: best.rows === 0 || !walkIsCheaper(plan, best.rows, estimate) };
}

/**
 * A walk in insertion (or date) order stops once the page is full: with matches spread evenly it reads
 * about (count + 1) * typeSize / matches rows. A driver reads all its matches. A sort on another
 * parameter cannot stop early, so there the driver always wins.
 */
function walkIsCheaper(plan: SearchPlan, matches: number, estimate: RowEstimator): boolean {
  const walks = plan.sort.length === 0 || singleDateSort(plan) !== undefined;
  if (!walks) {
    return false;
  }
  const walkedRows = ((plan.count + 1) * estimate.typeSize(plan.resourceType)) / matches;
  return walkedRows < matches * drivenRowCost;
}

/** The sort key when a search sorts on exactly one date parameter: such a search walks the date index. */
function singleDateSort(plan: SearchPlan): (SortKey & { field: 'param' }) | undefined {
  const [key] = plan.sort;
  return plan.sort.length === 1 && key.field === 'param' && key.param.kind === 'date' ? key : undefined;
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
    expr: `COALESCE((SELECT ${aggregate}(${column}) FROM ${tableOf[kind]} s INDEXED BY ${tableOf[kind]}_key WHERE s.key = r.key AND s.param_id = ?), ${missing})`,
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
