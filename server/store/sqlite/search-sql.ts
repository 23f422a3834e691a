// Compiles a store-neutral SearchPlan into SQLite: filters over the current-version rows, ordering by
// the sort keys, and keyset paging with the write sequence as the final tie-breaker.
import type { SQLInputValue } from 'node:sqlite';
import type { Filter, SearchPlan, SortKey, ValueCondition } from '../../search/plan';
import { decodeSearchCursor, invalidCursor, type CursorValues, type SearchCursor } from '../cursor';
import { compileTotal, testsKeyOnly } from './count-sql';
import { FilterCompiler, tableOf, type ParamIdLookup, type Sql } from './filter-sql';
import { monotoneBound, type MonotoneBound } from './row-estimates';
import { codeDateWalk, dateSortWalk, lastNumber, newestByCode, singleDateSort } from './date-walk-sql';

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
  /** True when the page is in key order (keyOrderPage): its cursors say so, and the next pages keep it. */
  byKey: boolean;
}

interface SortColumn {
  expr: string;
  params: SQLInputValue[];
  descending: boolean;
}

/** Resources without a value sort last in either direction (lastNumber for numbers and dates). */
const lastText = '\u{10FFFF}';

/** What the planner asks the database before it picks a plan. */
export interface RowEstimator {
  /**
   * How many rows a subquery yields, counted up to a limit (see driverLimit). `bound`, when the filter
   * compares one number, lets a count of a neighbouring value answer (row-estimates.ts).
   */
  rows(subquery: Sql, limit: number, bound?: MonotoneBound): number;
  /** About how many current resources of a type there are (a recent count is good enough). */
  typeSize(resourceType: string): number;
}

/**
 * A filter matching fewer keys than this may drive the search: its keys are read first and the other
 * filters are checked on each. Otherwise the search walks its sort order and checks every filter per
 * row, stopping once the page is full. A search without _sort over a large type counts further
 * (countLimit): its driven keys cost less.
 */
export const driverLimit = 2000;

/**
 * Reading, joining and sorting a driven key costs about as much as checking a walked row (both ~1 µs
 * here: a 1,900-key driver answered in 2.85 ms at 10k where a walk over ~110 rows took 0.81 ms at
 * 100k); a driven key is counted twice for the sort and the page it builds in full.
 */
const drivenRowCost = 2;

/**
 * Without _sort a driven page is read in key order (keyOrderPage): a driven key costs one index entry
 * and its place in a B-tree of keys, a quarter of a seq-ordered one, so driving pays up to larger
 * matches. At 1M resources a walk checks rows scattered over the store, each a page read: `value-quantity=73|…|kg`
 * (about 3,000 of 703,000 Observations) walked 7,000 rows in 4 ms where its keys take under 1 ms.
 */
const keyOrderRowCost = 0.5;
/** The most a planner's count reads for a search in key order, however large the type (a count of index entries). */
const keyOrderLimit = 10_000;

export function compileSearch(plan: SearchPlan, paramId: ParamIdLookup, estimate?: RowEstimator): CompiledSearch {
  const planner = new FilterCompiler(paramId, plan.restriction);
  const candidates = driverCandidates(plan, planner);
  const choice = estimate ? chooseDriver(plan, candidates, estimate) : undefined;
  // A newest-first sort with a code walks that code's rows in date order (the token and date index),
  // unless another filter is selective enough to drive.
  const codeWalk = newestByCode(plan, paramId);
  const columnCount = plan.sort.length + 1;
  const cursor = plan.cursor ? decodeSearchCursor(plan.cursor, columnCount) : undefined;
  // Pages that began in key order (below) continue in it, from a driver even where the estimates now say walk.
  const driver = cursor?.byKey
    ? (choice?.best ?? candidates[0] ?? invalidCursor())
    : choice?.drives && choice.best.index !== codeWalk?.index
      ? choice.best
      : undefined;
  // Driven or by id, the rows are few: the restriction's chains and _has are checked per row too.
  const byId = plan.filters.some((f) => f.kind === 'id' && !f.negate);
  const compiler = driver || byId ? new FilterCompiler(paramId, plan.restriction, true) : planner;
  // Without _sort a driven page follows the keys (keyOrderPage); from a driver's wider key set its own
  // filter is checked per key as well.
  const keyOrder = !!driver && plan.sort.length === 0 && (!cursor || !!cursor.byKey);
  const wide = keyOrder ? driver.wide : undefined;
  const filtered = compiler.all(
    plan.filters.filter((_, i) => i !== driver?.index || wide),
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
  // Previous pages take the general plan; the date walk only reads forwards.
  if (!driver && !cursor?.backward && dateSort) {
    const pid = paramId(dateSort.param.resourceType, dateSort.param.code);
    if (pid !== undefined && codeWalk) {
      const others = compiler.all(
        plan.filters.filter((_, i) => i !== codeWalk.index),
        'r'
      );
      const walked: Sql = { sql: `${others.sql} AND ${visible.sql}`, params: [...others.params, ...visible.params] };
      return { ...codeDateWalk(plan, codeWalk, walked), countSql, countParams, backward: false, byKey: false };
    }
    if (pid !== undefined) {
      // Filters that read only the key are checked on the date index's row itself, before its resource
      // row is read: most walked rows fail them.
      const onIndexRow = visible.sql === '1' && plan.filters.every(testsKeyOnly) ? compiler.all(plan.filters, 's') : undefined;
      return { ...dateSortWalk(plan, dateSort.descending, pid, rest, onIndexRow), countSql, countParams, backward: false, byKey: false };
    }
  }
  const backward = !!cursor?.backward;
  if (keyOrder) {
    return { ...keyOrderPage(plan, wide ?? driver.sql, where, params, cursor), countSql, countParams };
  }

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
    byKey: false,
  };
}

/**
 * A search without _sort driven from one filter's keys, read in key order (the store's handle of each
 * resource) instead of the write sequence. FHIR gives such a search no order
 * (https://hl7.org/fhir/R4/search.html#sort), only stable, complete pages, which a keyset on the key
 * gives: a resource appears once (its keys are grouped) at one place of a total order. The keys are
 * sorted from the driver's index entries alone, and each is checked against the other filters (its
 * resource row) in that order until the page is full, so a page reads about _count resource rows; in
 * the write order every match's resource row was read to find the first ones (1,100 Observations of a
 * day at 1M resources: 12-23 ms cold, 1.5-2.9 ms in key order, docs/performance.md).
 */
function keyOrderPage(
  plan: SearchPlan,
  keys: Sql,
  where: string[],
  params: SQLInputValue[],
  cursor: SearchCursor | undefined
): Omit<CompiledSearch, 'countSql' | 'countParams'> {
  const backward = !!cursor?.backward;
  const direction = backward ? 'DESC' : 'ASC';
  const after = cursor ? `WHERE d.key ${backward ? '<' : '>'} ? ` : '';
  // GROUP BY sorts the keys (a B-tree of keys only) and hands them on in order; HAVING checks each in
  // that order, so LIMIT stops the reading of resource rows. A join would read every match's row first.
  const pageSql =
    `SELECT p.key, v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content, p.sort_0
     FROM (SELECT d.key AS key, (SELECT seq FROM resources WHERE key = d.key) AS current_seq, d.key AS sort_0
           FROM (${keys.sql}) d ${after}GROUP BY d.key
           HAVING EXISTS (SELECT 1 FROM resources r WHERE r.key = d.key AND ${where.join(' AND ')})
           ORDER BY d.key ${direction} LIMIT ?) p
     JOIN resource_versions v ON v.seq = p.current_seq
     ORDER BY sort_0 ${direction}`;
  return {
    pageSql,
    pageParams: [...keys.params, ...(cursor ? cursor.values : []), ...params, plan.count + 1],
    cursorValues: (row) => [row.sort_0 as number],
    backward,
    byKey: true,
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
  /** Set when the filter compares one number: its count shrinks monotonically with that number. */
  bound?: MonotoneBound;
  /**
   * True when `estimate` is read from a covering index without a test per entry (readsIndexRange, or
   * `wide`): counting it further costs little (countLimit). A composite's
   * value or a chain is tested per entry (a systolic value above 132: 2,000 counted in 3-7 ms at 1M).
   */
  indexOnly: boolean;
  /**
   * A superset of the keys read from an index alone, where the exact test reads each index row from the
   * table (an equal quantity): the planner counts it, and a page in key order is driven from it with
   * the filter checked on each key until the page is full.
   */
  wide?: Sql;
}

/**
 * Whether a value's driver reads a range of a covering lookup index with no test per entry (the token,
 * reference, date and string lookup indexes end with the key): a code, a target, a date, a string prefix.
 */
function readsIndexRange(c: ValueCondition): boolean {
  switch (c.type) {
    case 'token':
      return c.text === undefined && c.typeSystem === undefined;
    case 'string':
      return c.match === 'starts';
    case 'date':
      return true;
    case 'reference':
      return c.id !== undefined && c.url === undefined && c.identifierSystem === undefined && c.identifierValue === undefined;
    default:
      return false;
  }
}

function driverCandidates(plan: SearchPlan, compiler: FilterCompiler): DriverCandidate[] {
  const candidates: DriverCandidate[] = [];
  plan.filters.forEach((filter, index) => {
    if (filter.kind === 'param' || filter.kind === 'chain') {
      const sql = filter.kind === 'param' ? compiler.driverSql(filter) : compiler.chainReferences(filter);
      if (sql) {
        const wide = filter.kind === 'param' ? compiler.wideKeys(filter) : undefined;
        const indexOnly = !!wide || (filter.kind === 'param' && filter.anyOf.every(readsIndexRange));
        candidates.push({ index, sql, estimate: wide ?? sql, currentOnly: true, bound: monotoneBound(filter), wide, indexOnly });
      }
    } else if (filter.kind === 'anyOf' && filter.filters.length > 0 && filter.filters.every((f) => f.kind === 'param' && !f.negate)) {
      // A union parameter's filter (parse-search.ts): the keys of its parts' rows together. A part never
      // indexed has none.
      const parts = filter.filters as (Filter & { kind: 'param' })[];
      const found = parts.map((f) => compiler.driverSql(f)).filter((sql): sql is Sql => sql !== undefined);
      if (found.length) {
        const sql = { sql: found.map((f) => f.sql).join(' UNION ALL '), params: found.flatMap((f) => f.params) };
        candidates.push({ index, sql, estimate: sql, currentOnly: true, indexOnly: parts.every((f) => f.anyOf.every(readsIndexRange)) });
      }
    } else if (filter.kind === 'has') {
      const targets = compiler.hasTargets(filter, plan.resourceType);
      if (targets) {
        // Its keys may be of deleted targets (hasTargets): a count reads their rows.
        candidates.push({ index, sql: targets.sql, estimate: targets.sources, currentOnly: false, indexOnly: false });
      }
    } else if (filter.kind === 'id' && !filter.negate) {
      const sql = {
        sql: `SELECT key FROM resources WHERE resource_type = ? AND id IN (${filter.ids.map(() => '?').join(', ')})`,
        params: [plan.resourceType, ...filter.ids],
      };
      candidates.push({ index, sql, estimate: sql, currentOnly: false, indexOnly: false });
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
  const further = countLimit(plan, estimate);
  for (const candidate of candidates) {
    const limit = Math.min(best ? best.rows : Infinity, candidate.indexOnly ? further : driverLimit);
    const rows = estimate.rows(candidate.estimate, limit, candidate.bound);
    if (rows < limit) {
      best = { candidate, rows };
    }
  }
  if (!best) {
    return undefined;
  }
  return { best: best.candidate, drives: best.rows === 0 || !walkIsCheaper(plan, best.candidate, best.rows, estimate) };
}

/**
 * A walk in insertion (or date) order stops once the page is full: with matches spread evenly it reads
 * about (count + 1) * typeSize / matches rows. A driver reads all its matches. A sort on another
 * parameter cannot stop early, so there the driver always wins.
 */
function walkIsCheaper(plan: SearchPlan, driver: DriverCandidate, matches: number, estimate: RowEstimator): boolean {
  const walks = plan.sort.length === 0 || singleDateSort(plan) !== undefined;
  if (!walks) {
    return false;
  }
  const walkedRows = ((plan.count + 1) * estimate.typeSize(plan.resourceType)) / matches;
  // A _has or chain driver reads a source and its reference per match, more than an index entry.
  return walkedRows < matches * (plan.sort.length === 0 && driver.indexOnly ? keyOrderRowCost : drivenRowCost);
}

/**
 * How far the planner counts an index-only candidate's matches: the driver limit, or for a search in
 * key order over a large type, up to where a walk becomes cheaper (walkIsCheaper's break-even: a walk reads
 * (count + 1) * typeSize / matches rows, a driver matches * keyOrderRowCost), at most keyOrderLimit.
 */
function countLimit(plan: SearchPlan, estimate: RowEstimator): number {
  if (plan.sort.length > 0) {
    return driverLimit;
  }
  const breakEven = Math.ceil(Math.sqrt(((plan.count + 1) * estimate.typeSize(plan.resourceType)) / keyOrderRowCost));
  return Math.min(keyOrderLimit, Math.max(driverLimit, breakEven));
}

/** The value a resource sorts by for a search parameter: its lowest value ascending, highest descending. */
function sortColumn(key: SortKey, paramId: ParamIdLookup): SortColumn {
  if (key.field !== 'param') {
    return { expr: key.field === '_id' ? 'r.id' : 'r.last_updated', params: [], descending: key.descending };
  }
  const { kind } = key.param;
  const pids = (key.parts ?? [key.param]).map((p) => paramId(p.resourceType, p.code) ?? -1);
  const numeric = kind === 'date' || kind === 'number' || kind === 'quantity';
  const column = numeric ? (key.descending ? 'high' : 'low') : kind === 'token' ? 'code' : kind === 'reference' ? 'target_id' : 'value';
  const aggregate = key.descending ? 'MAX' : 'MIN';
  const missing = key.descending ? (numeric ? -lastNumber : "''") : numeric ? lastNumber : `'${lastText}'`;
  return {
    expr: `COALESCE((SELECT ${aggregate}(${column}) FROM ${tableOf[kind]} s INDEXED BY ${tableOf[kind]}_key WHERE s.key = r.key AND s.param_id IN (${pids.map(() => '?').join(', ')})), ${missing})`,
    params: pids,
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
