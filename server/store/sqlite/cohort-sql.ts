// The cohort aggregation (../cohort-port.ts) as one SQL statement over the search index tables: the
// population's patients, materialized once; each coded source (the follow-ups, the blood pressures)
// read once into a small temporary table of (patient, resource, date) over every period asked, then
// each count a GROUP BY and each latest a window per patient over that table, joined per patient.
// Only index rows are read; no resource JSON is parsed.
//
// The index tables are rowid tables whose lookup indexes do not hold `key`, so every join costs a row
// read per index row (about 1.5 µs): the time goes into the coded resources' joins (docs/kpi.md,
// "Speed"). The order is chosen for that: each set is driven by the token lookup index (param, code,
// system), one seek per code; then the date, one row per resource, which drops the resources outside
// the periods; and the patient reference last, several rows per resource. CROSS JOIN fixes that order,
// and `+x.param_id` keeps SQLite (which has no statistics here) from walking a parameter's whole lookup
// index instead of the key index: at 100k resources that took minutes where the key lookups take ms.
import type { SQLInputValue } from 'node:sqlite';
import type { CodedResources, CohortQuery, CohortRow, IndexedParam, InstantPeriod, TokenCodes, TokenTest } from '../cohort-port';
import type { ParamIds } from './param-ids';
import type { StatementCache } from './statement-cache';

/** A parameter never indexed has no id: -1 matches no index row. */
const none = -1;

interface Sql {
  sql: string;
  params: SQLInputValue[];
}

type ParamId = (resourceType: string, code: string) => number;

const indexTable: Record<IndexedParam['type'], string> = { token: 'idx_token', date: 'idx_date', quantity: 'idx_quantity', string: 'idx_string' };

/** The counts and latests reading one coded source, and the hull of their periods. */
interface SourceRead {
  source: CodedResources;
  dateParam: string;
  hull: InstantPeriod;
}

export function cohortRows(statements: StatementCache, paramIds: ParamIds, query: CohortQuery): CohortRow[] {
  const pid: ParamId = (resourceType, code) => paramIds.lookup(statements, resourceType, code) ?? none;
  const ctes: Sql[] = [];
  const columns: Sql[] = [];

  // The selected patients: the population's, existing and not deleted, inside `within` when given.
  const population = coded(query.population, pid, undefined);
  const within = query.within?.targets.length
    ? {
        sql: `WHERE EXISTS (SELECT 1 FROM idx_reference w WHERE w.key = p.key AND +w.param_id = ? AND (${query.within.targets.map(() => '(w.target_id = ? AND w.target_type = ?)').join(' OR ')}))`,
        params: [pid('Patient', query.within.param), ...query.within.targets.flatMap((t) => [t.id, t.resourceType])],
      }
    : query.within
      ? { sql: 'WHERE 0', params: [] }
      : { sql: '', params: [] };
  const members = query.patients ? { sql: 'WHERE pid IN (SELECT value FROM json_each(?))', params: [JSON.stringify(query.patients)] } : { sql: '', params: [] };
  ctes.push({ sql: `pop AS MATERIALIZED (SELECT DISTINCT pid FROM (${population.sql}) ${members.sql})`, params: [...population.params, ...members.params] });
  ctes.push({
    sql: `sel AS MATERIALIZED (SELECT p.id AS pid, p.key AS pkey FROM pop CROSS JOIN resources p ON p.resource_type = 'Patient' AND p.id = pop.pid AND p.deleted = 0 ${within.sql})`,
    params: within.params,
  });

  // One temporary table per coded source, over the hull of the periods its counts and latests ask.
  const sources: SourceRead[] = [];
  const sourceOf = (source: CodedResources, dateParam: string, period: InstantPeriod): number => {
    const same = sources.findIndex((s) => s.dateParam === dateParam && JSON.stringify(s.source) === JSON.stringify(source));
    if (same >= 0) {
      const { hull } = sources[same];
      sources[same].hull = { low: Math.min(hull.low, period.low), high: Math.max(hull.high, period.high) };
      return same;
    }
    return sources.push({ source, dateParam, hull: period }) - 1;
  };
  const countSources = query.counts.map((count) => sourceOf(count.source, count.dateParam, count.period));
  const latestSources = query.latest.map((latest) => sourceOf(latest.source, latest.dateParam, latest.period));
  sources.forEach((read, k) => {
    const source = coded(read.source, pid, { param: pid(read.source.resourceType, read.dateParam), period: read.hull });
    ctes.push({ sql: `s${k} AS MATERIALIZED (SELECT DISTINCT pid, key, low FROM (${source.sql}) WHERE pid IN (SELECT pid FROM sel))`, params: source.params });
  });

  // Every count and latest as rows (pid, fact, n, at, key) pivoted into one row per patient, so that the
  // patients meet a single grouped table (one automatic index) rather than one join per figure.
  const facts: Sql[] = [];
  query.counts.forEach((count, i) => {
    facts.push({
      sql: `SELECT pid, 'c${i}' AS fact, count(DISTINCT key) AS n, NULL AS at, NULL AS key FROM s${countSources[i]} WHERE low >= ? AND low < ? GROUP BY pid`,
      params: [count.period.low, count.period.high],
    });
    columns.push({ sql: `coalesce(f.c${i}, 0) AS c${i}`, params: [] });
  });
  query.latest.forEach((latest, i) => {
    // Ties on the date go to the greater resource id (as in the MongoDB adapter).
    facts.push({
      sql: `SELECT pid, 'l${i}' AS fact, NULL AS n, at, key FROM (
          SELECT s.pid, s.low AS at, s.key, row_number() OVER (PARTITION BY s.pid ORDER BY s.low DESC, rr.id DESC) AS rn
          FROM s${latestSources[i]} s CROSS JOIN resources rr ON rr.key = s.key WHERE s.low >= ? AND s.low < ?
        ) WHERE rn = 1`,
      params: [latest.period.low, latest.period.high],
    });
    columns.push({ sql: `f.l${i}_at AS l${i}_at`, params: [] });
    latest.values.forEach((value, j) => {
      const param = pid(latest.source.resourceType, value.param);
      columns.push(
        value.kind === 'quantity'
          ? { sql: `(SELECT q.value FROM idx_quantity q WHERE q.key = f.l${i}_key AND +q.param_id = ? LIMIT 1) AS l${i}_v${j}`, params: [param] }
          : {
              // A composite's quantity part is indexed as the range its precision implies; its middle is the value.
              sql: `(SELECT (c.p1_low + c.p1_high) / 2 FROM idx_composite c
                 WHERE c.key = f.l${i}_key AND +c.param_id = ? AND c.p0_a = ? AND c.p0_b = ? LIMIT 1) AS l${i}_v${j}`,
              params: [param, value.code.code, value.code.system],
            }
      );
    });
  });
  const pivot = [
    ...query.counts.map((_, i) => `max(CASE WHEN fact = 'c${i}' THEN n END) AS c${i}`),
    ...query.latest.flatMap((_, i) => [`max(CASE WHEN fact = 'l${i}' THEN at END) AS l${i}_at`, `max(CASE WHEN fact = 'l${i}' THEN key END) AS l${i}_key`]),
  ];
  const join = facts.length ? 'LEFT JOIN f ON f.pid = sel.pid' : '';
  if (facts.length) {
    ctes.push({ sql: `f AS (SELECT pid, ${pivot.join(', ')} FROM (${facts.map((f) => f.sql).join(' UNION ALL ')}) GROUP BY pid)`, params: facts.flatMap((f) => f.params) });
  }

  const sql = `WITH ${ctes.map((c) => c.sql).join(',\n')}
    SELECT sel.pid AS pid,
      (SELECT g.target_id FROM idx_reference g WHERE g.key = sel.pkey AND +g.param_id = ? ORDER BY g.target_id LIMIT 1) AS grp,
      (SELECT min(b.low) FROM idx_date b WHERE b.key = sel.pkey AND +b.param_id = ?) AS birth
      ${columns.map((c) => `, ${c.sql}`).join('')}
    FROM sel ${join} ORDER BY sel.pid`;
  const params = [
    ...ctes.flatMap((c) => c.params),
    pid('Patient', query.groupParam),
    pid('Patient', query.birthDateParam),
    ...columns.flatMap((c) => c.params),
  ];
  const rows = statements.get(sql).all(...params) as Record<string, SQLInputValue>[];
  return rows.map((row) => toCohortRow(row, query));
}

/**
 * (pid, key, low) of the current resources with one of the codes passing the source's tests, and the
 * patient they refer to; with `dated`, low is the date parameter's low bound, only those in the period.
 */
function coded(source: CodedResources, pid: ParamId, dated: { param: number; period: InstantPeriod } | undefined): Sql {
  const codes = source.codes.length ? `(VALUES ${source.codes.map(() => '(?, ?)').join(', ')})` : '(SELECT NULL AS column1, NULL AS column2 WHERE 0)';
  const tests = [...(source.require ?? []).map((test) => required(test, source.resourceType, pid)), ...(source.exclude ?? []).map((codes) => excluded(codes, source.resourceType, pid))];
  return {
    sql: `SELECT r.target_id AS pid, t.key AS key, ${dated ? 'd.low' : 'NULL'} AS low FROM ${codes} v
      CROSS JOIN idx_token t ON t.param_id = ? AND t.code = v.column1 AND t.system = v.column2
      ${dated ? 'CROSS JOIN idx_date d ON d.key = t.key AND +d.param_id = ? AND d.low >= ? AND d.low < ?' : ''}
      CROSS JOIN idx_reference r ON r.key = t.key AND +r.param_id = ? AND r.target_type = 'Patient'
      ${tests.length ? `WHERE ${tests.map((test) => test.sql).join(' AND ')}` : ''}`,
    params: [
      ...source.codes.flatMap((c) => [c.code, c.system]),
      pid(source.resourceType, source.codeParam),
      ...(dated ? [dated.param, dated.period.low, dated.period.high] : []),
      pid(source.resourceType, source.patientParam),
      ...tests.flatMap((test) => test.params),
    ],
  };
}

/**
 * Whether resource t has one of the codes in the token parameter: t's key among the keys the lookup
 * index gives for the codes, a set SQLite builds once, where a per-resource test would read every token
 * row of each resource (a Condition has a dozen).
 */
function hasCode({ param, codes }: TokenCodes, resourceType: string, pid: ParamId): Sql {
  if (!codes.length) {
    return { sql: '0', params: [] };
  }
  return {
    sql: `t.key IN (SELECT x.key FROM (VALUES ${codes.map(() => '(?, ?)').join(', ')}) c
      CROSS JOIN idx_token x ON x.param_id = ? AND x.code = c.column1 AND x.system = c.column2)`,
    params: [...codes.flatMap((c) => [c.code, c.system]), pid(resourceType, param)],
  };
}

function required(test: TokenTest, resourceType: string, pid: ParamId): Sql {
  const has = hasCode(test.anyOf, resourceType, pid);
  if (!test.orWithout?.length) {
    return has;
  }
  // Resources with a value for any of the parameters, by their lookup indexes (led by param_id).
  const valued = test.orWithout.map(({ param, type }) => ({ sql: `SELECT key FROM ${indexTable[type]} WHERE param_id = ?`, params: [pid(resourceType, param)] }));
  return {
    sql: `(${has.sql} OR t.key NOT IN (${valued.map((v) => v.sql).join(' UNION ')}))`,
    params: [...has.params, ...valued.flatMap((v) => v.params)],
  };
}

function excluded(codes: TokenCodes, resourceType: string, pid: ParamId): Sql {
  const has = hasCode(codes, resourceType, pid);
  return { sql: `NOT ${has.sql}`, params: has.params };
}

function toCohortRow(row: Record<string, SQLInputValue>, query: CohortQuery): CohortRow {
  const result: CohortRow = { patientId: String(row.pid), counts: {}, latest: {} };
  if (row.grp !== null && row.grp !== undefined) {
    result.group = String(row.grp);
  }
  if (typeof row.birth === 'number') {
    result.birthDate = row.birth;
  }
  query.counts.forEach((count, i) => {
    result.counts[count.name] = Number(row[`c${i}`]);
  });
  query.latest.forEach((latest, i) => {
    const at = row[`l${i}_at`];
    if (typeof at !== 'number') {
      return;
    }
    const values: Record<string, number> = {};
    latest.values.forEach((value, j) => {
      const v = row[`l${i}_v${j}`];
      if (typeof v === 'number') {
        values[value.name] = v;
      }
    });
    result.latest[latest.name] = { at, values };
  });
  return result;
}
