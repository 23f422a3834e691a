// Search over the AuditEvent table (audit-event-table.ts): the plan's filters as conditions on an event's
// row, its sort (date, _lastUpdated, _id, or the write order) walked on the row's own indexes with keyset
// paging, totals, the caller's restriction inside the query, and _include / _revinclude between events and
// the resources they name. Token and reference conditions are value-sql.ts's own, read against the JSON
// entries of the row, so that they mean exactly what they mean on the generic index.
// https://hl7.org/fhir/R4/search.html, https://hl7.org/fhir/R4/auditevent.html#search
import type { SQLInputValue } from 'node:sqlite';
import { badRequest } from '../../outcomes';
import type { Filter, IncludeSpec, ResultRestriction, SearchPlan, ValueCondition } from '../../search/plan';
import { dateApproximation } from '../../search/range-bounds';
import { decodeSearchCursor, encodeSearchCursor } from '../cursor';
import { withinBytes } from '../page-bytes';
import { auditEventType, auditRowColumns, patientLookupParams, referenceRowsSql, tokenRowsSql } from './audit-event-table';
import { FilterCompiler, type ParamIdLookup, type Sql } from './filter-sql';
import { findIncludedKeys, type KeyedResource } from './include-sql';
import type { StatementCache } from './statement-cache';
import type { VersionRow } from './version-row';
import { matchAnySql, rangesSql } from './value-sql';

const always: Sql = { sql: '1', params: [] };
const never: Sql = { sql: '0', params: [] };

/** Plan filters as conditions on an audit_events row aliased `r`. */
export class AuditFilterSql {
  private readonly targets: FilterCompiler;

  constructor(
    private readonly paramId: ParamIdLookup,
    private readonly restriction: ResultRestriction | undefined
  ) {
    this.targets = new FilterCompiler(paramId, restriction);
  }

  /** The caller may see the event: the restriction's AuditEvent filters (an auditor's none, a patient's compartment). */
  visible(): Sql {
    if (!this.restriction) {
      return always;
    }
    const filters = this.restriction.byType[auditEventType];
    if (filters === undefined) {
      return this.restriction.otherTypes === 'all' ? always : never;
    }
    return this.all(filters);
  }

  all(filters: Filter[]): Sql {
    const parts = filters.map((f) => this.compile(f));
    return { sql: parts.length ? parts.map((p) => `(${p.sql})`).join(' AND ') : '1', params: parts.flatMap((p) => p.params) };
  }

  private compile(filter: Filter): Sql {
    switch (filter.kind) {
      case 'id':
        return { sql: `r.id ${filter.negate ? 'NOT IN' : 'IN'} (${filter.ids.map(() => '?').join(', ')})`, params: filter.ids };
      case 'lastUpdated':
        return rangesSql(
          filter.anyOf.map((c) => ({ ...c, type: 'date' as const })),
          { low: 'r.last_updated', high: '(r.last_updated + 1)' },
          dateApproximation()
        );
      case 'param':
        return this.param(filter);
      case 'missing': {
        const pid = this.paramId(auditEventType, filter.param.code);
        if (filter.param.kind === 'date') {
          return { sql: `r.date_low IS ${filter.missing ? '' : 'NOT '}NULL`, params: [] };
        }
        if (pid === undefined) {
          return filter.missing ? always : never;
        }
        const column = filter.param.kind === 'token' ? 'tokens' : 'refs';
        return { sql: `(SELECT 1 FROM json_each(audit_text(r.${column})) WHERE value->>0 = ? LIMIT 1) IS ${filter.missing ? '' : 'NOT '}NULL`, params: [pid] };
      }
      case 'chain': {
        const pid = this.paramId(auditEventType, filter.param.code);
        if (pid === undefined) {
          return never;
        }
        // The targets that match (and that the caller may see), materialised once.
        const targets = this.targets.chainTargets(filter);
        return {
          sql: `(SELECT 1 FROM (${referenceRowsSql('r')}) x WHERE x.param_id = ?
                  AND (x.target_type, x.target_id) IN (SELECT resource_type, id FROM (${targets.sql})) LIMIT 1) IS NOT NULL`,
          params: [pid, ...targets.params],
        };
      }
      case 'has':
        throw badRequest('_has is not supported on AuditEvent searches', '_has');
      case 'anyOf': {
        const parts = filter.filters.map((f) => this.compile(f));
        return { sql: parts.map((p) => `(${p.sql})`).join(' OR ') || '0', params: parts.flatMap((p) => p.params) };
      }
    }
  }

  private param(filter: Filter & { kind: 'param' }): Sql {
    const negate = !!filter.negate;
    const { kind, code } = filter.param;
    if (kind === 'date') {
      const range = rangesSql(filter.anyOf, { low: 'r.date_low', high: 'r.date_high' }, dateApproximation());
      // NULL (no date) matches no range, and so matches its negation.
      return negate ? { sql: `(${range.sql}) IS NOT 1`, params: range.params } : range;
    }
    const pid = this.paramId(auditEventType, code);
    if (pid === undefined || (kind !== 'token' && kind !== 'reference')) {
      // The table keeps the nine parameters' kinds only (token, reference, date).
      return negate ? always : never;
    }
    const match = matchAnySql(filter.anyOf);
    const rows = kind === 'token' ? tokenRowsSql('r') : referenceRowsSql('r');
    const check: Sql = { sql: `(SELECT 1 FROM (${rows}) x WHERE x.param_id = ? AND ${match.sql} LIMIT 1) IS ${negate ? '' : 'NOT '}NULL`, params: [pid, ...match.params] };
    const lookup = kind === 'reference' && !negate ? this.targetLookup(code, pid, filter.anyOf) : undefined;
    // Local references are also looked up in audit_event_targets: the events of one patient or agent are
    // found from that index instead of walking every event.
    return lookup ? { sql: `${lookup.sql} AND ${check.sql}`, params: [...lookup.params, ...check.params] } : check;
  }

  /**
   * `r.seq IN (events naming one of the ids)` when every condition is a local reference by id; `patient`'s
   * from the agents' and entities' entries of type Patient (what R4 defines it as; audit-event-table.ts).
   */
  private targetLookup(code: string, pid: number, anyOf: ValueCondition[]): Sql | undefined {
    const ids: string[] = [];
    for (const c of anyOf) {
      if (c.type !== 'reference' || c.id === undefined || c.url !== undefined || c.identifierSystem !== undefined || c.identifierValue !== undefined) {
        return undefined;
      }
      ids.push(c.id);
    }
    const lookup = lookupParams(this.paramId, code, pid);
    const entries = (table: string): string =>
      `SELECT seq FROM ${table} WHERE param_id IN (SELECT value FROM json_each(?)) AND target_id IN (SELECT value FROM json_each(?))${lookup.targetType ? ' AND target_type = ?' : ''}`;
    const params = [JSON.stringify(lookup.pids), JSON.stringify(ids), ...(lookup.targetType ? [lookup.targetType] : [])];
    // Both tables of lookup entries: the merged ones, and the recent ones not merged yet (audit-event-table.ts).
    return {
      sql: `r.seq IN (${entries('audit_event_targets')} UNION ALL ${entries('audit_event_recent_targets')})`,
      params: [...params, ...params],
    };
  }
}

/** Where the lookup table keeps a reference parameter's entries: its own, or for `patient` the agents' and entities' of type Patient. */
function lookupParams(paramId: ParamIdLookup, code: string, pid: number): { pids: number[]; targetType?: string } {
  if (code !== 'patient') {
    return { pids: [pid] };
  }
  return {
    pids: patientLookupParams.map((c) => paramId(auditEventType, c)).filter((p): p is number => p !== undefined),
    targetType: 'Patient',
  };
}

interface SortColumn {
  expr: string;
  descending: boolean;
}

/** The order of the page: one sort key at most, then the position in the same direction. */
function sortColumns(plan: SearchPlan): SortColumn[] {
  if (plan.sort.length === 0) {
    return [{ expr: 'r.seq', descending: false }];
  }
  const [key] = plan.sort;
  // An event's date is AuditEvent.recorded (required): its range's start ascending, its end descending.
  const byDate = key.field === 'param' && key.param.code === 'date' ? (key.descending ? 'r.date_high' : 'r.date_low') : undefined;
  const expr = plan.sort.length > 1 ? undefined : key.field === '_id' ? 'r.id' : key.field === '_lastUpdated' ? 'r.last_updated' : byDate;
  if (!expr) {
    throw badRequest('AuditEvent searches sort on one of date, _lastUpdated or _id', '_sort');
  }
  return [
    { expr, descending: key.descending },
    { expr: 'r.seq', descending: key.descending },
  ];
}

export interface AuditSearchResult {
  rows: VersionRow[];
  /** Rows of `resources`/`resource_versions` (the VersionRow columns) that _include and _revinclude add. */
  included: VersionRow[];
  total?: number;
  nextCursor?: string;
  previousCursor?: string;
}

export function searchAuditEvents(reads: StatementCache, paramId: ParamIdLookup, plan: SearchPlan): AuditSearchResult {
  const filters = new AuditFilterSql(paramId, plan.restriction);
  const matched = filters.all(plan.filters);
  const visible = filters.visible();
  const where = ['r.current = 1', matched.sql, visible.sql];
  const params: SQLInputValue[] = [...matched.params, ...visible.params];
  const forward = sortColumns(plan);
  const cursor = plan.cursor ? decodeSearchCursor(plan.cursor, forward.length) : undefined;
  const backward = !!cursor?.backward;
  // A previous page reads the same order reversed, from its cursor backwards. Both columns go one way,
  // so that the keyset is one row-value comparison, which the sort's index reads as a range.
  const columns = backward ? forward.map((c) => ({ ...c, descending: !c.descending })) : forward;
  const descending = columns[0].descending;
  const rowValue = `(${columns.map((c) => c.expr).join(', ')})`;
  const pageWhere = cursor ? [...where, `${rowValue} ${descending ? '<' : '>'} (${columns.map(() => '?').join(', ')})`] : where;
  const pageParams = cursor ? [...params, ...cursor.values] : params;
  const direction = descending ? 'DESC' : 'ASC';
  const rows = reads
    .get(
      `SELECT ${auditRowColumns('r')}, ${columns.map((c, i) => `${c.expr} AS sort_${i}`).join(', ')} FROM audit_events r
       WHERE ${pageWhere.join(' AND ')} ORDER BY ${columns.map((c) => `${c.expr} ${direction}`).join(', ')} LIMIT ?`
    )
    .all(...pageParams, plan.count + 1) as unknown as (VersionRow & Record<string, SQLInputValue>)[];
  const kept = withinBytes(rows.slice(0, plan.count), plan.maxBytes, (row) => row.content);
  const hasMore = rows.length > kept.length;
  const page = backward ? kept.reverse() : kept;
  const result: AuditSearchResult = { rows: page, included: [] };
  const values = (row: Record<string, SQLInputValue>): (string | number)[] => columns.map((_, i) => row[`sort_${i}`] as string | number);
  if (page.length) {
    if (backward || hasMore) {
      result.nextCursor = encodeSearchCursor({ backward: false, values: values(page[page.length - 1]) });
    }
    if (backward ? hasMore : !!plan.cursor) {
      result.previousCursor = encodeSearchCursor({ backward: true, values: values(page[0]) });
    }
  }
  if (plan.total === 'accurate' || plan.total === 'estimate') {
    result.total = (reads.get(`SELECT count(*) AS n FROM audit_events r WHERE ${where.join(' AND ')}`).get(...params) as { n: number }).n;
  } else if (plan.total === 'auto' && !plan.cursor && !hasMore) {
    result.total = page.length;
  }
  if (page.length && (plan.include.length || plan.revInclude.length)) {
    result.included = auditIncludes(reads, paramId, page, plan);
  }
  return result;
}

/**
 * _include from the page's events (the resources their references name) and _revinclude onto them
 * (resources whose references name the events), what the caller may see; :iterate goes on from there
 * through the generic index (include-sql.ts).
 */
function auditIncludes(reads: StatementCache, paramId: ParamIdLookup, page: VersionRow[], plan: SearchPlan): VersionRow[] {
  const found: number[] = [];
  for (const spec of plan.include.filter((s) => s.sourceType === auditEventType)) {
    const rows = reads
      .get(
        `SELECT DISTINCT c.key FROM audit_events a CROSS JOIN json_each(audit_text(a.refs)) j
         JOIN resources c ON c.resource_type = j.value->>1 AND c.id = j.value->>2
         WHERE a.seq IN (SELECT value FROM json_each(?)) AND j.value->>0 IN (SELECT value FROM json_each(?))
           AND c.deleted = 0 AND (? IS NULL OR c.resource_type = ?)`
      )
      .all(JSON.stringify(page.map((r) => r.seq)), JSON.stringify(specParams(paramId, spec)), spec.targetType ?? null, spec.targetType ?? null) as { key: number }[];
    found.push(...rows.map((r) => r.key));
  }
  for (const spec of plan.revInclude.filter((s) => !s.targetType || s.targetType === auditEventType)) {
    const rows = reads
      .get(
        `SELECT DISTINCT ref.key FROM idx_reference ref INDEXED BY idx_reference_lookup
         WHERE ref.param_id IN (SELECT value FROM json_each(?)) AND ref.target_id IN (SELECT value FROM json_each(?)) AND ref.target_type = '${auditEventType}'`
      )
      .all(JSON.stringify(specParams(paramId, spec)), JSON.stringify(page.map((r) => r.id))) as { key: number }[];
    found.push(...rows.map((r) => r.key));
  }
  const visible = new FilterCompiler(paramId, plan.restriction, true).visibleAnyOf(undefined, 'r');
  const first = reads
    .get(`SELECT r.key, r.resource_type AS resourceType, r.id FROM resources r WHERE r.key IN (SELECT value FROM json_each(?)) AND ${visible.sql}`)
    .all(JSON.stringify([...new Set(found)]), ...visible.params) as unknown as KeyedResource[];
  const iterate = (specs: IncludeSpec[]): IncludeSpec[] => specs.filter((s) => s.iterate);
  const further = findIncludedKeys(reads, paramId, first, iterate(plan.include), iterate(plan.revInclude), plan.restriction);
  const keys = [...first.map((r) => r.key), ...further];
  if (!keys.length) {
    return [];
  }
  return reads
    .get(
      `SELECT v.seq, v.resource_type, v.id, v.version_id, v.last_updated, v.deleted, v.content FROM resources c JOIN resource_versions v ON v.seq = c.seq
       WHERE c.key IN (SELECT value FROM json_each(?))`
    )
    .all(JSON.stringify(keys)) as unknown as VersionRow[];
}

/**
 * The events a page of other resources gets from `_revinclude=AuditEvent:<param>`: those whose local
 * references through the parameters name a resource of the page, that the caller may see.
 */
export function auditEventsNaming(
  reads: StatementCache,
  paramId: ParamIdLookup,
  page: { resourceType: string; id: string }[],
  specs: IncludeSpec[],
  restriction: ResultRestriction | undefined
): VersionRow[] {
  // [param id, target type or null]: `patient` is looked up as the agents' and entities' Patients.
  const lookups = specs.filter((s) => s.sourceType === auditEventType).flatMap((s) => specLookups(paramId, s));
  const visible = new AuditFilterSql(paramId, restriction).visible();
  if (!page.length || !lookups.length || visible.sql === '0') {
    return [];
  }
  const lookupsJson = JSON.stringify(lookups);
  const targetsJson = JSON.stringify(page.map((r) => [r.resourceType, r.id]));
  // The merged lookup entries, sought by each (parameter, target); the recent ones not merged yet
  // (audit-event-table.ts), read through once, each checked against the page's ids first.
  return reads
    .get(
      `SELECT ${auditRowColumns('r')} FROM audit_events r WHERE r.current = 1 AND r.seq IN (
         SELECT t.seq FROM json_each(?) p CROSS JOIN json_each(?) target CROSS JOIN audit_event_targets t
           ON t.param_id = p.value->>0 AND t.target_id = target.value->>1 AND t.target_type = target.value->>0
         WHERE p.value->>1 IS NULL OR p.value->>1 = target.value->>0
         UNION ALL
         SELECT t.seq FROM audit_event_recent_targets t
         WHERE t.target_id IN (SELECT value->>1 FROM json_each(?)) AND EXISTS (
           SELECT 1 FROM json_each(?) p CROSS JOIN json_each(?) target
           WHERE t.param_id = p.value->>0 AND t.target_id = target.value->>1 AND t.target_type = target.value->>0
             AND (p.value->>1 IS NULL OR p.value->>1 = target.value->>0)))
       AND ${visible.sql}`
    )
    .all(lookupsJson, targetsJson, targetsJson, lookupsJson, targetsJson, ...visible.params) as unknown as VersionRow[];
}

function specLookups(paramId: ParamIdLookup, spec: IncludeSpec): [number, string | null][] {
  return spec.codes.flatMap((code) => {
    const pid = paramId(spec.sourceType, code);
    if (pid === undefined) {
      return [];
    }
    const lookup = lookupParams(paramId, code, pid);
    return lookup.pids.map((p): [number, string | null] => [p, lookup.targetType ?? null]);
  });
}

function specParams(paramId: ParamIdLookup, spec: IncludeSpec): number[] {
  return spec.codes.map((code) => paramId(spec.sourceType, code)).filter((p): p is number => p !== undefined);
}
