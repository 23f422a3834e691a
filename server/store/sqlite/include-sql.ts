// _include and _revinclude over a page of results: follow idx_reference from (or to) the page's
// resources, and with :iterate keep following from what was added, until nothing new turns up.
// https://hl7.org/fhir/R4/search.html#include
import type { IncludeSpec, ResultRestriction } from '../../search/plan';
import { FilterCompiler, type ParamIdLookup } from './filter-sql';
import type { StatementCache } from './statement-cache';

export interface KeyedResource {
  key: number;
  resourceType: string;
  id: string;
}

/** Bounds :iterate on data with reference cycles. */
const maxIterations = 5;

export function findIncludedKeys(
  statements: StatementCache,
  paramId: ParamIdLookup,
  page: KeyedResource[],
  include: IncludeSpec[],
  revInclude: IncludeSpec[],
  restriction?: ResultRestriction
): number[] {
  const seen = new Set(page.map((r) => r.key));
  const added: number[] = [];
  let frontier = page;
  for (let round = 0; round < maxIterations && frontier.length; round++) {
    const found: number[] = [];
    for (const spec of include) {
      if (round === 0 || spec.iterate) {
        found.push(...forward(statements, paramId, frontier, spec));
      }
    }
    for (const spec of revInclude) {
      if (round === 0 || spec.iterate) {
        found.push(...reverse(statements, paramId, frontier, spec));
      }
    }
    const fresh = found.filter((k) => !seen.has(k) && seen.add(k));
    // What the caller may not see is neither returned nor followed further by :iterate.
    frontier = fresh.length ? visibleOnly(statements, paramId, describe(statements, fresh), restriction) : [];
    added.push(...frontier.map((r) => r.key));
  }
  return added;
}

/** The resources of `found` that the restriction lets the caller see, checked in the database per type. */
function visibleOnly(
  statements: StatementCache,
  paramId: ParamIdLookup,
  found: KeyedResource[],
  restriction: ResultRestriction | undefined
): KeyedResource[] {
  if (!restriction) {
    return found;
  }
  const compiler = new FilterCompiler(paramId, restriction, true);
  const types = [...new Set(found.map((r) => r.resourceType))];
  const keep = new Set<number>();
  for (const type of types) {
    const keys = found.filter((r) => r.resourceType === type).map((r) => r.key);
    const visible = compiler.visible(type, 'r');
    if (visible.sql === '0') {
      continue;
    }
    const rows = statements
      .get(`SELECT r.key FROM resources r WHERE r.key IN (SELECT value FROM json_each(?)) AND ${visible.sql}`)
      .all(JSON.stringify(keys), ...visible.params) as { key: number }[];
    rows.forEach((row) => keep.add(row.key));
  }
  return found.filter((r) => keep.has(r.key));
}

function pids(paramId: ParamIdLookup, spec: IncludeSpec): number[] {
  return spec.codes.map((code) => paramId(spec.sourceType, code)).filter((p): p is number => p !== undefined);
}

/** The resources that the frontier's resources of spec.sourceType refer to. */
function forward(statements: StatementCache, paramId: ParamIdLookup, frontier: KeyedResource[], spec: IncludeSpec): number[] {
  const keys = frontier.filter((r) => r.resourceType === spec.sourceType).map((r) => r.key);
  const params = pids(paramId, spec);
  if (!keys.length || !params.length) {
    return [];
  }
  const rows = statements
    .get(
      // From the page's keys (CROSS JOIN fixes the order): the planner would otherwise read every
      // reference of the parameter and test each against the page.
      `SELECT DISTINCT t.key FROM json_each(?) page CROSS JOIN idx_reference ref INDEXED BY idx_reference_key ON ref.key = page.value
       JOIN resources t ON t.resource_type = ref.target_type AND t.id = ref.target_id
       WHERE ref.param_id IN (SELECT value FROM json_each(?))
         AND t.deleted = 0 AND (? IS NULL OR t.resource_type = ?)`
    )
    .all(JSON.stringify(keys), JSON.stringify(params), spec.targetType ?? null, spec.targetType ?? null) as { key: number }[];
  return rows.map((r) => r.key);
}

/** The resources of spec.sourceType that refer to the frontier's resources. */
function reverse(statements: StatementCache, paramId: ParamIdLookup, frontier: KeyedResource[], spec: IncludeSpec): number[] {
  const params = pids(paramId, spec);
  const targets = frontier.filter((r) => !spec.targetType || r.resourceType === spec.targetType);
  if (!targets.length || !params.length) {
    return [];
  }
  const rows = statements
    .get(
      // Each (parameter, target) is one lookup of idx_reference_lookup; the planner would otherwise read
      // every reference of the parameter and test each against the page.
      `SELECT DISTINCT ref.key FROM json_each(?) p CROSS JOIN json_each(?) target
       CROSS JOIN idx_reference ref INDEXED BY idx_reference_lookup
         ON ref.param_id = p.value AND ref.target_id = json_extract(target.value, '$[1]') AND ref.target_type = json_extract(target.value, '$[0]')`
    )
    .all(JSON.stringify(params), JSON.stringify(targets.map((t) => [t.resourceType, t.id]))) as { key: number }[];
  return rows.map((r) => r.key);
}

function describe(statements: StatementCache, keys: number[]): KeyedResource[] {
  return statements
    .get('SELECT key, resource_type AS resourceType, id FROM resources WHERE key IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(keys)) as unknown as KeyedResource[];
}
