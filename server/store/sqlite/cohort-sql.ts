// The cohort aggregation (../cohort-port.ts) as one SQL statement over the search index tables: the
// population's patients, then per count and per latest a grouped subquery (a window function picks each
// patient's latest), joined per patient. Only index rows are read; no resource JSON is parsed.
// Each coded set is driven by the token lookup index (param, code, system), the few rows a code has;
// every other index row is then found by the resource's key. `+x.param_id` keeps SQLite (which has no
// statistics here) from walking a parameter's whole lookup index instead: at 100k resources, reading
// every date of the period per follow-up took minutes where the key lookups take milliseconds.
import type { SQLInputValue } from 'node:sqlite';
import type { CodedResources, CohortQuery, CohortRow, InstantPeriod } from '../cohort-port';
import type { ParamIds } from './param-ids';
import type { StatementCache } from './statement-cache';

/** A parameter never indexed has no id: -1 matches no index row. */
const none = -1;

interface Sql {
  sql: string;
  params: SQLInputValue[];
}

export function cohortRows(statements: StatementCache, paramIds: ParamIds, query: CohortQuery): CohortRow[] {
  const pid = (resourceType: string, code: string): number => paramIds.lookup(statements, resourceType, code) ?? none;
  const ctes: Sql[] = [];
  const columns: Sql[] = [];
  const joins: string[] = [];

  // The selected patients: the population's, existing and not deleted, inside `within` when given.
  const population = coded(query.population, pid);
  const within = query.within?.targets.length
    ? {
        sql: `AND EXISTS (SELECT 1 FROM idx_reference w WHERE w.key = p.key AND w.param_id = ? AND (${query.within.targets.map(() => '(w.target_id = ? AND w.target_type = ?)').join(' OR ')}))`,
        params: [pid('Patient', query.within.param), ...query.within.targets.flatMap((t) => [t.id, t.resourceType])],
      }
    : query.within
      ? { sql: 'AND 0', params: [] }
      : { sql: '', params: [] };
  ctes.push({
    sql: `sel AS (SELECT p.id AS pid, p.key AS pkey FROM (SELECT DISTINCT pid FROM (${population.sql})) pop
      JOIN resources p ON p.resource_type = 'Patient' AND p.id = pop.pid AND p.deleted = 0 ${within.sql})`,
    params: [...population.params, ...within.params],
  });

  query.counts.forEach((count, i) => {
    const source = coded(count.source, pid);
    const inPeriod = dated('s', pid(count.source.resourceType, count.dateParam), count.period);
    ctes.push({
      sql: `c${i} AS (SELECT s.pid, count(DISTINCT s.key) AS n FROM (${source.sql}) s ${inPeriod.sql}
        WHERE s.pid IN (SELECT pid FROM sel) GROUP BY s.pid)`,
      params: [...source.params, ...inPeriod.params],
    });
    columns.push({ sql: `coalesce(c${i}.n, 0) AS c${i}`, params: [] });
    joins.push(`LEFT JOIN c${i} ON c${i}.pid = sel.pid`);
  });

  query.latest.forEach((latest, i) => {
    const source = coded(latest.source, pid);
    const inPeriod = dated('s', pid(latest.source.resourceType, latest.dateParam), latest.period);
    // Ties on the date go to the greater resource id (as in the MongoDB adapter).
    ctes.push({
      sql: `l${i} AS (SELECT pid, at, key FROM (
          SELECT s.pid, d.low AS at, s.key, row_number() OVER (PARTITION BY s.pid ORDER BY d.low DESC, rr.id DESC) AS rn
          FROM (${source.sql}) s ${inPeriod.sql} JOIN resources rr ON rr.key = s.key WHERE s.pid IN (SELECT pid FROM sel)
        ) WHERE rn = 1)`,
      params: [...source.params, ...inPeriod.params],
    });
    columns.push({ sql: `l${i}.at AS l${i}_at`, params: [] });
    latest.values.forEach((value, j) => {
      const param = pid(latest.source.resourceType, value.param);
      columns.push(
        value.kind === 'quantity'
          ? { sql: `(SELECT q.value FROM idx_quantity q WHERE q.key = l${i}.key AND +q.param_id = ? LIMIT 1) AS l${i}_v${j}`, params: [param] }
          : {
              // A composite's quantity part is indexed as the range its precision implies; its middle is the value.
              sql: `(SELECT (c.p1_low + c.p1_high) / 2 FROM idx_composite c
                 WHERE c.key = l${i}.key AND +c.param_id = ? AND c.p0_a = ? AND c.p0_b = ? LIMIT 1) AS l${i}_v${j}`,
              params: [param, value.code.code, value.code.system],
            }
      );
    });
    joins.push(`LEFT JOIN l${i} ON l${i}.pid = sel.pid`);
  });

  const sql = `WITH ${ctes.map((c) => c.sql).join(',\n')}
    SELECT sel.pid AS pid,
      (SELECT g.target_id FROM idx_reference g WHERE g.key = sel.pkey AND +g.param_id = ? ORDER BY g.target_id LIMIT 1) AS grp,
      (SELECT min(b.low) FROM idx_date b WHERE b.key = sel.pkey AND +b.param_id = ?) AS birth
      ${columns.map((c) => `, ${c.sql}`).join('')}
    FROM sel ${joins.join(' ')} ORDER BY sel.pid`;
  const params = [
    ...ctes.flatMap((c) => c.params),
    pid('Patient', query.groupParam),
    pid('Patient', query.birthDateParam),
    ...columns.flatMap((c) => c.params),
  ];
  const rows = statements.get(sql).all(...params) as Record<string, SQLInputValue>[];
  return rows.map((row) => toCohortRow(row, query));
}

/** (pid, key) of the current resources with one of the codes, and the patient they refer to. */
function coded(source: CodedResources, pid: (resourceType: string, code: string) => number): Sql {
  const codes = source.codes.length ? source.codes.map(() => '(t.code = ? AND t.system = ?)').join(' OR ') : '0';
  return {
    sql: `SELECT r.target_id AS pid, t.key AS key FROM idx_token t
      JOIN idx_reference r ON r.key = t.key AND +r.param_id = ? AND r.target_type = 'Patient'
      WHERE t.param_id = ? AND (${codes})`,
    params: [pid(source.resourceType, source.patientParam), pid(source.resourceType, source.codeParam), ...source.codes.flatMap((c) => [c.code, c.system])],
  };
}

/** A join keeping the rows of `alias` whose date parameter's low bound is in the period. */
function dated(alias: string, param: number, period: InstantPeriod): Sql {
  return { sql: `JOIN idx_date d ON d.key = ${alias}.key AND +d.param_id = ? AND d.low >= ? AND d.low < ?`, params: [param, period.low, period.high] };
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
