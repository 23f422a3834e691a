// Plan filters as SQL conditions on one row of `resources` (by its alias). Each parameter condition is
// a membership test of the row's key in the matching index rows; chains and _has join through
// idx_reference. Index rows exist only for current, non-deleted versions.
import type { SQLInputValue } from 'node:sqlite';
import type { Filter, IndexKind, ParamRef, ResultRestriction, ValueCondition } from '../../search/plan';
import { dateApproximation } from '../../search/range-bounds';
import { testsKeyOnly } from './count-sql';
import { matchAnySql, quantityRangeSql, rangesSql } from './value-sql';

export interface Sql {
  sql: string;
  params: SQLInputValue[];
}

/** Resolves a search parameter to its id; undefined when no resource was ever indexed for it. */
export type ParamIdLookup = (resourceType: string, code: string) => number | undefined;

export const tableOf: Record<IndexKind, string> = {
  string: 'idx_string',
  token: 'idx_token',
  date: 'idx_date',
  number: 'idx_number',
  quantity: 'idx_quantity',
  reference: 'idx_reference',
  uri: 'idx_uri',
  composite: 'idx_composite',
};

export class FilterCompiler {
  private aliasCount = 0;
  /** Above zero while a restriction's own filters are compiled: those are not restricted again. */
  private restricting = 0;

  /**
   * `restriction`: what the caller may see, applied to the searched rows, chain targets and _has sources.
   * A search's own chains and _has are checked per row through the reference index (a walk stops once
   * its page is full; a driver or a count gives few rows). A restriction's are too when `fewRows`: the
   * rows are already few (a search by id or driven by a selective filter, the resources of one history,
   * the resources a page includes). Otherwise a restriction's are materialised once, since a caller who
   * sees a small part of a type would have every walked row checked. A clinician's read of one resource
   * tested its visibility against every patient of the clinic when materialised (4-8 ms of CPU per read
   * on the seeded network, against a few index lookups per row).
   */
  constructor(
    private readonly paramId: ParamIdLookup,
    private readonly restriction?: ResultRestriction,
    private readonly fewRows = false
  ) {}

  /** The condition that a row of `resourceType` (aliased `alias`) is visible under the restriction. */
  visible(resourceType: string, alias: string, form: 'exists' | 'in' = 'exists'): Sql {
    if (!this.restriction || this.restricting > 0) {
      return { sql: '1', params: [] };
    }
    const filters = this.restriction.byType[resourceType];
    if (filters === undefined) {
      return { sql: this.restriction.otherTypes === 'all' ? '1' : '0', params: [] };
    }
    this.restricting++;
    try {
      return this.all(filters, alias, form);
    } finally {
      this.restricting--;
    }
  }

  /** Visibility of a row whose type is one of several (or any, when `types` is undefined), by its resource_type column. */
  visibleAnyOf(types: readonly string[] | undefined, alias: string, form: 'exists' | 'in' = 'exists'): Sql {
    if (!this.restriction || this.restricting > 0) {
      return { sql: '1', params: [] };
    }
    const listed = Object.keys(this.restriction.byType).filter((t) => !types || types.includes(t));
    const parts: Sql[] = listed.map((type) => {
      const condition = this.visible(type, alias, form);
      return { sql: `(${alias}.resource_type = ? AND ${condition.sql})`, params: [type, ...condition.params] };
    });
    if (this.restriction.otherTypes === 'all') {
      const unlisted = Object.keys(this.restriction.byType);
      parts.push(
        unlisted.length
          ? { sql: `${alias}.resource_type NOT IN (${unlisted.map(() => '?').join(', ')})`, params: unlisted }
          : { sql: '1', params: [] }
      );
    }
    return { sql: parts.length ? `(${parts.map((p) => p.sql).join(' OR ')})` : '0', params: parts.flatMap((p) => p.params) };
  }

  /**
   * `form` says how parameter filters test membership: 'exists' checks the row's own index entries (for
   * the searched resources, which a driver or the sort order already narrows); 'in' materialises the
   * matching keys once (inside chains and _has, where the candidate rows are not narrowed).
   */
  compile(filter: Filter, alias: string, form: 'exists' | 'in' = 'exists'): Sql {
    switch (filter.kind) {
      case 'id':
        return {
          sql: `${alias}.id ${filter.negate ? 'NOT IN' : 'IN'} (${filter.ids.map(() => '?').join(', ')})`,
          params: filter.ids,
        };
      case 'lastUpdated':
        return rangesSql(
          filter.anyOf.map((c) => ({ ...c, type: 'date' as const })),
          { low: `${alias}.last_updated`, high: `(${alias}.last_updated + 1)` },
          dateApproximation()
        );
      case 'param':
        if (form === 'in') {
          const driver = this.driverSql({ ...filter, negate: false });
          if (!driver) {
            return { sql: filter.negate ? '1' : '0', params: [] };
          }
          return { sql: `${alias}.key ${filter.negate ? 'NOT IN' : 'IN'} (${driver.sql})`, params: driver.params };
        }
        return this.param(filter.param, filter.anyOf, !!filter.negate, alias);
      case 'missing': {
        const pid = this.paramId(filter.param.resourceType, filter.param.code);
        if (pid === undefined) {
          return { sql: filter.missing ? '1' : '0', params: [] };
        }
        const table = tableOf[filter.param.kind];
        return {
          sql: `${filter.missing ? 'NOT ' : ''}EXISTS (SELECT 1 FROM ${table} x INDEXED BY ${table}_key WHERE x.key = ${alias}.key AND x.param_id = ?)`,
          params: [pid],
        };
      }
      case 'chain': {
        if (this.perRow(form)) {
          return this.chainReferent(filter, alias);
        }
        const refs = this.chainReferences(filter);
        if (!refs) {
          return { sql: '0', params: [] };
        }
        return { sql: `${alias}.key IN (${refs.sql})`, params: refs.params };
      }
      case 'has':
        return this.has(filter, alias, form);
      case 'anyOf': {
        const parts = filter.filters.map((f) => this.compile(f, alias, form));
        return { sql: `(${parts.map((p) => p.sql).join(' OR ') || '0'})`, params: parts.flatMap((p) => p.params) };
      }
    }
  }

  /** Whether chains and _has are checked per row here (see the constructor). */
  private perRow(form: 'exists' | 'in'): boolean {
    return form === 'exists' && (this.restricting === 0 || this.fewRows);
  }

  /**
   * A chain checked on one candidate row: the targets its own reference points at (idx_reference_key),
   * each tested against the chain's filters. A walk reads a few references per row, where a list of every
   * matching target's referrers would grow with the data (a selective chain drives instead: chainReferences).
   */
  private chainReferent(filter: Filter & { kind: 'chain' }, alias: string): Sql {
    const pid = this.paramId(filter.param.resourceType, filter.param.code);
    if (pid === undefined) {
      return { sql: '0', params: [] };
    }
    const t = this.nextAlias();
    const inner = this.all(filter.filters, t);
    // A chain matches only through targets the caller may see.
    const visible = this.visibleAnyOf(filter.targetTypes, t);
    // A positive parameter filter matches index rows, which exist for current, non-deleted resources
    // only: the target's deletion is then implied, and resources_by_id alone maps its id to its key
    // (one seek per walked row instead of two: `Encounter?subject:Patient.name` walks hundreds).
    const current = filter.filters.some((f) => f.kind === 'param' && !f.negate) ? '' : `AND ${t}.deleted = 0 `;
    return {
      sql:
        `EXISTS (SELECT 1 FROM idx_reference cr INDEXED BY idx_reference_key CROSS JOIN resources ${t} INDEXED BY resources_by_id ` +
        `ON ${t}.resource_type = cr.target_type AND ${t}.id = cr.target_id WHERE cr.key = ${alias}.key AND cr.param_id = ? ` +
        `AND ${t}.resource_type IN (${filter.targetTypes.map(() => '?').join(', ')}) ${current}AND ${inner.sql} AND ${visible.sql})`,
      params: [pid, ...filter.targetTypes, ...inner.params, ...visible.params],
    };
  }

  /**
   * _has. Per row: the row's referrers through the parameter (idx_reference_lookup leads with param_id,
   * target_id), each tested against the source filters; nothing is materialised, so a walk that fills
   * its page after a few rows reads a few referrers, however many sources match overall. Otherwise (inside
   * chains and other _has, a restriction over many rows): the set of (type, id) the sources refer to.
   */
  private has(filter: Filter & { kind: 'has' }, alias: string, form: 'exists' | 'in'): Sql {
    const ref = filter.referenceParam;
    const pid = this.paramId(ref.resourceType, ref.code);
    if (pid === undefined) {
      return { sql: '0', params: [] };
    }
    const perRow = this.perRow(form);
    const s = this.nextAlias();
    // Only sources the caller may see can reveal that a resource has them.
    const visible = this.visible(ref.resourceType, s, perRow ? 'exists' : 'in');
    if (perRow && visible.sql === '1' && filter.filters.every(testsKeyOnly)) {
      // The source filters read only the source's key, which its reference row holds; a reference row
      // exists only for a current source of the parameter's type, so no source row is read. A patient
      // walked for `_has:Observation:patient:code` has dozens of Observations: one seek each, not two.
      const inner = this.all(filter.filters, 'hr');
      return {
        sql: `EXISTS (SELECT 1 FROM idx_reference hr INDEXED BY idx_reference_lookup WHERE hr.param_id = ? AND hr.target_id = ${alias}.id AND hr.target_type = ${alias}.resource_type AND ${inner.sql})`,
        params: [pid, ...inner.params],
      };
    }
    const inner = this.all(filter.filters, s, perRow ? 'exists' : 'in');
    // Per row the referrers come first (CROSS JOIN keeps that order); as a set, the planner may start from the sources.
    const sources = `${perRow ? 'CROSS ' : ''}JOIN resources ${s} ON ${s}.key = hr.key WHERE hr.param_id = ? AND ${inner.sql} AND ${visible.sql}`;
    return {
      sql: perRow
        ? `EXISTS (SELECT 1 FROM idx_reference hr INDEXED BY idx_reference_lookup ${sources} AND hr.target_id = ${alias}.id AND hr.target_type = ${alias}.resource_type)`
        : `(${alias}.resource_type, ${alias}.id) IN (SELECT hr.target_type, hr.target_id FROM idx_reference hr ${sources})`,
      params: [pid, ...inner.params, ...visible.params],
    };
  }

  /**
   * The keys of the `targetType` resources that _has's matching sources refer to, read from the sources'
   * first parameter filter (undefined when the _has has none to drive from); a key may be of a deleted
   * target, which the reader's own row check leaves out. `sources` is that filter's
   * keys alone, an upper bound of the result's size that the planner can count from the index cheaply.
   */
  hasTargets(filter: Filter & { kind: 'has' }, targetType: string): { sql: Sql; sources: Sql } | undefined {
    const ref = filter.referenceParam;
    const pid = this.paramId(ref.resourceType, ref.code);
    const driverIndex = filter.filters.findIndex((f) => f.kind === 'param' && !f.negate);
    const sources = driverIndex >= 0 ? this.driverSql(filter.filters[driverIndex] as Filter & { kind: 'param' }) : undefined;
    if (pid === undefined || !sources) {
      return undefined;
    }
    const s = this.nextAlias();
    const inner = this.all(
      filter.filters.filter((_, i) => i !== driverIndex),
      s
    );
    const visible = this.visible(ref.resourceType, s);
    // The source row is read only for what tests it: the driving filter's keys are current sources already
    // (498 Conditions of a rare code at 1M: one random row each, for nothing). Nor is the target's row:
    // resources_by_id maps its id to its key alone, and every reader of these keys checks that the target
    // is current on its own row, once per key it keeps (a key-order page only until the page is full;
    // 991 Patients of a diagnosis at 1M: 9 ms warm with the row, docs/performance.md).
    const sourceRow = inner.sql === '1' && visible.sql === '1' ? '' : `CROSS JOIN resources ${s} ON ${s}.key = sd.key `;
    return {
      sql: {
        sql:
          `SELECT t.key FROM (SELECT DISTINCT key FROM (${sources.sql})) sd ${sourceRow}` +
          'CROSS JOIN idx_reference hr INDEXED BY idx_reference_key ON hr.key = sd.key AND hr.param_id = ? AND hr.target_type = ? ' +
          'CROSS JOIN resources t INDEXED BY resources_by_id ON t.resource_type = hr.target_type AND t.id = hr.target_id ' +
          `WHERE ${inner.sql} AND ${visible.sql}`,
        params: [...sources.params, pid, targetType, ...inner.params, ...visible.params],
      },
      sources,
    };
  }

  /** The keys of resources whose chained reference points at a matching target (small when the chain is selective). */
  chainReferences(filter: Filter & { kind: 'chain' }): Sql | undefined {
    const pid = this.paramId(filter.param.resourceType, filter.param.code);
    if (pid === undefined) {
      return undefined;
    }
    const targets = this.chainTargets(filter);
    // A join from the (few) targets, so that each is looked up in the reference index.
    return {
      sql:
        `SELECT ref.key FROM (${targets.sql}) tg CROSS JOIN idx_reference ref INDEXED BY idx_reference_lookup ` +
        `ON ref.param_id = ? AND ref.target_id = tg.id AND ref.target_type = tg.resource_type`,
      params: [...targets.params, pid],
    };
  }

  /**
   * The (type, id) of the resources at the far end of a chain that match its filters. The first
   * parameter filter drives (read by key), so that the target type is never scanned whole.
   */
  chainTargets(filter: Filter & { kind: 'chain' }): Sql {
    const t = this.nextAlias();
    const driverIndex = filter.filters.findIndex((f) => f.kind === 'param' && !f.negate);
    const driver = driverIndex >= 0 ? this.driverSql(filter.filters[driverIndex] as Filter & { kind: 'param' }) : undefined;
    const inner = this.all(
      filter.filters.filter((_, i) => !driver || i !== driverIndex),
      t,
      'in'
    );
    const types = filter.targetTypes.map(() => '?').join(', ');
    const from = driver ? `(SELECT DISTINCT key FROM (${driver.sql})) td CROSS JOIN resources ${t} ON ${t}.key = td.key` : `resources ${t}`;
    // A chain matches only through targets the caller may see.
    const visible = this.visibleAnyOf(filter.targetTypes, t, 'in');
    return {
      sql:
        `SELECT ${t}.resource_type AS resource_type, ${t}.id AS id FROM ${from} ` +
        `WHERE ${t}.resource_type IN (${types}) AND ${t}.deleted = 0 AND ${inner.sql} AND ${visible.sql}`,
      params: [...(driver?.params ?? []), ...filter.targetTypes, ...inner.params, ...visible.params],
    };
  }

  all(filters: Filter[], alias: string, form: 'exists' | 'in' = 'exists'): Sql {
    const parts = filters.map((f) => this.compile(f, alias, form));
    return { sql: parts.length ? parts.map((p) => p.sql).join(' AND ') : '1', params: parts.flatMap((p) => p.params) };
  }

  private nextAlias(): string {
    return `t${++this.aliasCount}`;
  }

  /**
   * A parameter filter as a correlated check of the row's own index entries: a few index lookups per
   * candidate row, and nothing is materialised. (The driving filter uses driverSql instead.)
   */
  private param(param: ParamRef, anyOf: ValueCondition[], negate: boolean, alias: string): Sql {
    const pid = this.paramId(param.resourceType, param.code);
    if (pid === undefined) {
      return { sql: negate ? '1' : '0', params: [] };
    }
    const match = matchAnySql(anyOf);
    return {
      // INDEXED BY: the planner would otherwise walk the (param_id, value) index for every candidate row.
      // A scalar subquery rather than EXISTS: SQLite turns an EXISTS into a join that it orders after the
      // other tables of the row, so that a walk read each row's resource and dates before this check
      // (a lab code walked newest first: 9,000 rows in 54 ms, 10 ms as a scalar, 100k resources).
      sql: `(SELECT 1 FROM ${tableOf[param.kind]} x INDEXED BY ${tableOf[param.kind]}_key WHERE x.key = ${alias}.key AND x.param_id = ? AND ${match.sql} LIMIT 1) IS ${negate ? '' : 'NOT '}NULL`,
      params: [pid, ...match.params],
    };
  }

  /**
   * A superset of a parameter filter's keys read from an index alone, where its exact test reads each
   * index row from the table (an equal quantity with a canonical unit); undefined otherwise.
   */
  wideKeys(filter: Filter & { kind: 'param' }): Sql | undefined {
    const pid = this.paramId(filter.param.resourceType, filter.param.code);
    const range = filter.anyOf.length === 1 && !filter.negate ? quantityRangeSql(filter.anyOf[0]) : undefined;
    if (pid === undefined || !range) {
      return undefined;
    }
    return { sql: `SELECT key FROM idx_quantity WHERE param_id = ? AND ${range.sql}`, params: [pid, ...range.params] };
  }

  /** The keys a positive parameter filter matches, as a subquery that can drive the search. */
  driverSql(filter: Filter & { kind: 'param' }): Sql | undefined {
    const pid = this.paramId(filter.param.resourceType, filter.param.code);
    if (pid === undefined || filter.negate) {
      return undefined;
    }
    const match = matchAnySql(filter.anyOf);
    return { sql: `SELECT key FROM ${tableOf[filter.param.kind]} WHERE param_id = ? AND ${match.sql}`, params: [pid, ...match.params] };
  }
}
