// Value conditions as SQL on one index row: what each search parameter type's values mean
// (https://hl7.org/fhir/R4/search.html#prefix and the sections per type), for filter-sql.ts.
import type { SQLInputValue } from 'node:sqlite';
import type { SystemCode, ValueCondition } from '../../search/plan';
import { canonicalUnit, scaleToCanonical, ucumSystem } from '../../search/indexing/ucum-canonical';
import { dateApproximation, impliedBound, rangeBounds, valueApproximation, type Approximation } from '../../search/range-bounds';
import type { Sql } from './filter-sql';

/** Above every string SQLite compares (UTF-8 of U+10FFFF), for prefix ranges. */
const maxChar = '\u{10FFFF}';

export function matchAnySql(anyOf: ValueCondition[]): Sql {
  const alternatives = anyOf.map((c) => valueSql(c, ''));
  return {
    sql: `(${alternatives.map((a) => `(${a.sql})`).join(' OR ')})`,
    params: alternatives.flatMap((a) => a.params),
  };
}

/** One value's condition on an index row; `p` prefixes the columns of a composite part (e.g. 'p0_'). */
function valueSql(c: ValueCondition, p: string): Sql {
  const col = (name: string): string => (p ? `${p}${compositeColumn(name)}` : name);
  switch (c.type) {
    case 'string':
      if (c.match === 'exact') {
        // A composite string part keeps only the normalised value.
        return p ? { sql: `${col('value')} = ?`, params: [c.value] } : { sql: 'exact = ?', params: [c.value] };
      }
      if (c.match === 'contains') {
        return { sql: `${col('value')} LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(c.value)}%`] };
      }
      return { sql: `${col('value')} >= ? AND ${col('value')} < ?`, params: [c.value, c.value + maxChar] };
    case 'token': {
      if (c.codes !== undefined) {
        return codeSetSql(c.codes);
      }
      if (c.text !== undefined) {
        return { sql: 'text >= ? AND text < ?', params: [c.text, c.text + maxChar] };
      }
      const parts: string[] = [];
      const params: SQLInputValue[] = [];
      if (c.code !== undefined) {
        parts.push(`${col('code')} = ?`);
        params.push(c.code);
      }
      if (c.system === null) {
        parts.push(`${col('system')} IS NULL`);
      } else if (c.system !== undefined) {
        parts.push(`${col('system')} = ?`);
        params.push(c.system);
      }
      if (c.typeSystem !== undefined) {
        parts.push('type_system = ? AND type_code = ?');
        params.push(c.typeSystem, c.typeCode ?? '');
      }
      return { sql: parts.join(' AND ') || '1', params };
    }
    case 'date':
      return rangesSql([c], { low: col('low'), high: col('high') }, dateApproximation());
    case 'number':
      return numericSql(c, { low: col('low'), high: col('high'), value: p ? undefined : 'value' });
    case 'quantity': {
      const range = numericSql(c, { low: col('low'), high: col('high'), value: p ? undefined : 'value' });
      const parts = [range.sql];
      const params = [...range.params];
      if (c.code !== undefined) {
        // The code may be a UCUM code or, without a system, the human unit as written.
        parts.push(p ? `${col('code')} = ?` : c.system ? 'code = ?' : '(code = ? OR unit = ?)');
        params.push(c.code);
        if (!p && !c.system) {
          params.push(c.code);
        }
      }
      if (c.system !== undefined && !p) {
        parts.push('system = ?');
        params.push(c.system);
      }
      const stated: Sql = { sql: parts.join(' AND '), params };
      // A UCUM unit with a known conversion also matches the same amount in another unit (5.4 mmol/L = 5400 umol/L).
      const canonical = p || c.code === undefined ? undefined : canonicalUnit(c.system ?? ucumSystem, c.code);
      if (!canonical) {
        return stated;
      }
      const [canonicalCode, factor] = canonical;
      const scaled = {
        ...c,
        value: scaleToCanonical(c.value, factor),
        low: scaleToCanonical(c.low, factor),
        high: scaleToCanonical(c.high, factor),
      };
      const converted = numericSql(scaled, { low: 'canonical_low', high: 'canonical_high', value: 'canonical_value' });
      if (factor === 1 && c.system === ucumSystem) {
        // The unit is its dimension's canonical one (kg, mmol/L): every row the stated unit matches holds
        // the same values in the canonical columns, so one range of idx_quantity_canonical finds them all.
        // Both branches read the same rows twice and merged them (1,360 glucose values of 4.1 mmol/L at
        // 351,531 resources, docs/performance.md "Slow plans at 1M").
        return { sql: `canonical_code = ? AND ${converted.sql}`, params: [canonicalCode, ...converted.params] };
      }
      if (c.prefix === 'eq' && c.system === ucumSystem) {
        // Another unit of the dimension (umol/L, g): every row the stated unit matches was indexed with
        // canonical values scaled by the same rounding as the search value's bounds (scaleToCanonical,
        // monotone), so its canonical value lies within the scaled bounds too. One range of
        // idx_quantity_canonical then holds both branches' rows, tested exactly after. Read through the
        // value index instead, the stated branch read every quantity of that value in any unit (78 umol/L
        // among the 78 kg: 572 matches in 10-12 ms at 1M resources, docs/performance.md).
        const range = quantityRangeSql(c) as Sql;
        return {
          sql: `${range.sql} AND ((${stated.sql}) OR (${converted.sql}))`,
          params: [...range.params, ...stated.params, ...converted.params],
        };
      }
      return {
        sql: `((${stated.sql}) OR (canonical_code = ? AND ${converted.sql}))`,
        params: [...stated.params, canonicalCode, ...converted.params],
      };
    }
    case 'reference': {
      if (p) {
        return { sql: `${col('id')} = ?`, params: [c.id ?? c.url ?? ''] };
      }
      if (c.identifierSystem !== undefined || c.identifierValue !== undefined) {
        const parts: string[] = [];
        const params: SQLInputValue[] = [];
        if (c.identifierSystem !== undefined) {
          parts.push('identifier_system = ?');
          params.push(c.identifierSystem);
        }
        if (c.identifierValue !== undefined) {
          parts.push('identifier_value = ?');
          params.push(c.identifierValue);
        }
        return { sql: parts.join(' AND '), params };
      }
      if (c.url !== undefined) {
        return c.version !== undefined
          ? { sql: 'url = ? AND version = ?', params: [c.url, c.version] }
          : { sql: 'url = ?', params: [c.url] };
      }
      if (c.targetTypes?.length) {
        return {
          sql: `target_id = ? AND target_type IN (${c.targetTypes.map(() => '?').join(', ')})`,
          params: [c.id ?? '', ...c.targetTypes],
        };
      }
      return { sql: 'target_id = ?', params: [c.id ?? ''] };
    }
    case 'uri':
      if (c.match === 'below') {
        return { sql: `${col('value')} >= ? AND ${col('value')} < ?`, params: [c.value, c.value + maxChar] };
      }
      if (c.match === 'above') {
        return { sql: `substr(?, 1, length(${col('value')})) = ${col('value')}`, params: [c.value] };
      }
      return { sql: `${col('value')} = ?`, params: [c.value] };
    case 'composite': {
      const parts = c.parts.map((part, i) => valueSql(part, `p${i}_`));
      return { sql: parts.map((s) => `(${s.sql})`).join(' AND '), params: parts.flatMap((s) => s.params) };
    }
    case 'valueSet':
    case 'hierarchy':
      throw new Error(`${c.parameter}: a terminology condition reached the store; resolveTerminologyFilters must run first`);
  }
}

/**
 * A superset of an equal quantity's index rows that the canonical index alone answers (its unit has a
 * canonical one): the scaled value's bounds on the indexed expression, without the exact test that reads
 * each row from the table. valueSql narrows it with that test; the planner counts it alone (an upper
 * bound; 2,000 weights of 73 kg counted in 7 ms through the table at 1M resources, docs/performance.md).
 * Undefined otherwise.
 */
export function quantityRangeSql(c: ValueCondition): Sql | undefined {
  if (c.type !== 'quantity' || c.prefix !== 'eq' || c.code === undefined || c.system !== ucumSystem) {
    return undefined;
  }
  const canonical = canonicalUnit(c.system, c.code);
  if (!canonical) {
    return undefined;
  }
  const [canonicalCode, factor] = canonical;
  const within = 'COALESCE(canonical_value, canonical_high)';
  return {
    sql: `canonical_code = ? AND ${within} >= ? AND ${within} <= ?`,
    params: [canonicalCode, scaleToCanonical(c.low, factor), scaleToCanonical(c.high, factor)],
  };
}

/**
 * Numbers and quantities (https://hl7.org/fhir/R4/search.html#number). eq, ne and ap test the stored
 * value against the search value's implicit-precision range (100 is [99.5, 100.5)); the other prefixes
 * ignore precision and compare the values themselves. A stored point value is its `value` column (in a
 * composite part, the middle of its range); a stored Range has no value and is compared by its ends.
 */
function numericSql(c: ValueCondition & { type: 'number' | 'quantity' }, fields: { low: string; high: string; value?: string }): Sql {
  const point = fields.value ?? `((${fields.low} + ${fields.high}) / 2)`;
  const isPoint = fields.value ? `${fields.value} IS NOT NULL` : '1';
  const isRange = fields.value ? `${fields.value} IS NULL` : '0';
  const v = c.value;
  switch (c.prefix) {
    case 'eq':
    case 'ap': {
      const widen = c.prefix === 'ap' ? valueApproximation(c) : 0;
      const ranges = rangesSql([c], fields, valueApproximation);
      const either: Sql = {
        sql: `((${isPoint} AND ${point} >= ? AND ${point} < ?) OR (${isRange} AND ${ranges.sql}))`,
        params: [c.low - widen, c.high + widen, ...ranges.params],
      };
      if (c.prefix === 'ap' || !fields.value) {
        return either;
      }
      // Implied by either branch (a point lies in [low, high); a stored range within it ends by high),
      // and a range of the indexed expression (idx_quantity_above and its canonical twin), so that an
      // equal value is found in the index rather than among every value of its unit.
      const above = `COALESCE(${fields.value}, ${fields.high})`;
      return { sql: `${above} >= ? AND ${above} <= ? AND ${either.sql}`, params: [c.low, c.high, ...either.params] };
    }
    case 'ne': {
      const ranges = rangesSql([c], fields, valueApproximation);
      return {
        sql: `((${isPoint} AND (${point} < ? OR ${point} >= ?)) OR (${isRange} AND ${ranges.sql}))`,
        params: [c.low, c.high, ...ranges.params],
      };
    }
    case 'gt':
    case 'sa':
      return { sql: `COALESCE(${point}, ${fields.high}) > ?`, params: [v] };
    case 'ge':
      return { sql: `COALESCE(${point}, ${fields.high}) >= ?`, params: [v] };
    case 'lt':
    case 'eb':
      return { sql: `COALESCE(${point}, ${fields.low}) < ?`, params: [v] };
    case 'le':
      return { sql: `COALESCE(${point}, ${fields.low}) <= ?`, params: [v] };
  }
}

/** Range conditions (any of them) over the given low/high column expressions. */
export function rangesSql(conditions: ValueCondition[], fields: { low: string; high: string }, approximation: Approximation): Sql {
  const params: SQLInputValue[] = [];
  const alternatives: string[] = [];
  for (const condition of conditions) {
    if (condition.type !== 'date' && condition.type !== 'number' && condition.type !== 'quantity') {
      continue;
    }
    for (const bounds of rangeBounds(condition, approximation)) {
      alternatives.push('(' + bounds.map((b) => `${fields[b.field]} ${b.op} ?`).join(' AND ') + ')');
      params.push(...bounds.map((b) => b.value));
    }
  }
  const ranges = { sql: `(${alternatives.join(' OR ') || '0'})`, params };
  // One condition's implied bound goes first, so that the index on that end reads a range (range-bounds.ts).
  const [only] = conditions;
  const implied = conditions.length === 1 && (only.type === 'date' || only.type === 'number' || only.type === 'quantity') ? impliedBound(only) : undefined;
  return implied ? { sql: `${fields[implied.field]} ${implied.op} ? AND ${ranges.sql}`, params: [implied.value, ...ranges.params] } : ranges;
}

/**
 * A set of codes (what :in, :not-in, :above and :below resolve to) on an idx_token row, bound as JSON
 * arrays read with json_each: the SQL text is the same whatever the set's size, so it is prepared once,
 * and neither the host-parameter limit nor the expression-depth limit (1,000) is ever reached.
 * Measured with 10,000 codes against 400,000 index rows of the parameter, per statement finding the
 * first 2,000 keys: one JSON array of codes per system, 6 ms; (system, code) row values from one array
 * of pairs, 30 ms; codes and system+code keys in two arrays, 17 ms; a temporary table, 20 ms with its
 * inserts; chunked IN lists of 1,000, 20 ms, and three times slower than the others as a check on each
 * candidate row. So a set of one system (the usual case) binds its codes alone, and several systems add
 * the keys. The system test comes first: checking a candidate row, it rejects other systems' codes
 * before the set lookup (a third faster); driving, the planner still reads idx_token_lookup for each code.
 * A stored code without a system (a `code` element) matches by its code.
 */
function codeSetSql(codes: SystemCode[]): Sql {
  if (!codes.length) {
    return { sql: '0', params: [] };
  }
  const inSet = 'IN (SELECT value FROM json_each(?))';
  const systems = new Set(codes.map((c) => c.system));
  const allCodes = JSON.stringify([...new Set(codes.map((c) => c.code))]);
  if (systems.size === 1) {
    return { sql: `(system IS NULL OR system = ?) AND code ${inSet}`, params: [codes[0].system, allCodes] };
  }
  const keys = JSON.stringify(codes.map((c) => `${c.system}\u0000${c.code}`));
  return { sql: `(system IS NULL OR system || char(0) || code ${inSet}) AND code ${inSet}`, params: [keys, allCodes] };
}

/** A composite part's generic column for a field of the single-value tables (see index-writer.ts). */
function compositeColumn(name: string): string {
  switch (name) {
    case 'code':
    case 'value':
    case 'id':
      return 'a';
    case 'system':
      return 'b';
    default:
      return name;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}
