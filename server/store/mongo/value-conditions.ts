// One search value's condition on an index entry, as the inside of a MongoDB $elemMatch: the same
// meaning as the SQLite adapter's conditions on an index row (filter-sql.ts), field for field.
// https://hl7.org/fhir/R4/search.html
import type { Document } from 'mongodb';
import type { RangeCondition, SystemCode, ValueCondition } from '../../search/plan';
import { canonicalUnit, scaleToCanonical, ucumSystem } from '../../search/indexing/ucum-canonical';
import { dateApproximation, rangeBounds, valueApproximation, type Approximation } from '../../search/range-bounds';

/** Matches nothing (an empty $in), in MongoDB and in mingo alike. */
export const never: Document = { _id: { $in: [] } };

const comparison = { '<': '$lt', '<=': '$lte', '>': '$gt', '>=': '$gte' } as const;

/** Field names of an entry: the plain ones, or a composite part's generic ones (documents.ts). */
type Fields = (name: 'code' | 'value' | 'id' | 'system' | 'low' | 'high') => string;
const plainFields: Fields = (name) => ({ code: 'c', value: 'v', id: 'i', system: 's', low: 'lo', high: 'hi' })[name];
const partFields =
  (i: number): Fields =>
  (name) =>
    `${name === 'code' || name === 'value' || name === 'id' ? 'a' : name === 'system' ? 'b' : name === 'low' ? 'lo' : 'hi'}${i}`;

/** Any of the conditions, on one entry. */
export function anyValue(conditions: ValueCondition[]): Document {
  const alternatives = conditions.map((c) => valueCondition(c, undefined));
  return alternatives.length === 1 ? alternatives[0] : { $or: alternatives };
}

/** `part` is the index of a composite part, undefined for a plain entry. */
function valueCondition(c: ValueCondition, part: number | undefined): Document {
  const col = part === undefined ? plainFields : partFields(part);
  switch (c.type) {
    case 'string':
      if (c.match === 'exact') {
        // A composite string part keeps only the normalised value.
        return part === undefined ? { x: c.value } : { [col('value')]: c.value };
      }
      return { [col('value')]: new RegExp((c.match === 'starts' ? '^' : '') + escapeRegExp(c.value)) };
    case 'token':
      return tokenCondition(c, col, part !== undefined);
    case 'date':
      return ranges([c], col('low'), col('high'), dateApproximation());
    case 'number':
      return numeric(c, col('low'), col('high'), part === undefined ? 'v' : `m${part}`, part === undefined);
    case 'quantity':
      return quantityCondition(c, col, part);
    case 'reference':
      return referenceCondition(c, col, part !== undefined);
    case 'uri':
      if (c.match === 'below') {
        return { [col('value')]: new RegExp('^' + escapeRegExp(c.value)) };
      }
      if (c.match === 'above') {
        // The stored value is a prefix of the searched one: one of its finitely many prefixes.
        return { [col('value')]: { $in: Array.from({ length: c.value.length }, (_, n) => c.value.slice(0, n + 1)) } };
      }
      return { [col('value')]: c.value };
    case 'composite':
      return { $and: c.parts.map((p, i) => valueCondition(p, i)) };
    case 'valueSet':
    case 'hierarchy':
      throw new Error(`${c.parameter}: a terminology condition reached the store; resolveTerminologyFilters must run first`);
  }
}

function tokenCondition(c: ValueCondition & { type: 'token' }, col: Fields, inPart: boolean): Document {
  if (c.codes !== undefined) {
    return codeSet(c.codes);
  }
  if (c.text !== undefined) {
    return { t: new RegExp('^' + escapeRegExp(c.text)) };
  }
  const condition: Document = {};
  if (c.code !== undefined) {
    condition[col('code')] = c.code;
  }
  if (c.system === null) {
    condition[col('system')] = { $exists: false };
  } else if (c.system !== undefined) {
    condition[col('system')] = c.system;
  }
  if (c.typeSystem !== undefined && !inPart) {
    condition.ts = c.typeSystem;
    condition.tc = c.typeCode ?? '';
  }
  return condition;
}

/** A code of the set, with its system; a stored code without a system (a `code` element) matches by code. */
function codeSet(codes: SystemCode[]): Document {
  if (!codes.length) {
    return never;
  }
  const bySystem = new Map<string, string[]>();
  for (const { system, code } of codes) {
    bySystem.set(system, [...(bySystem.get(system) ?? []), code]);
  }
  const allCodes = [...new Set(codes.map((c) => c.code))];
  return {
    $or: [{ s: { $exists: false }, c: { $in: allCodes } }, ...[...bySystem].map(([system, list]) => ({ s: system, c: { $in: list } }))],
  };
}

function quantityCondition(c: ValueCondition & { type: 'quantity' }, col: Fields, part: number | undefined): Document {
  const plain = part === undefined;
  const stated: Document[] = [numeric(c, col('low'), col('high'), plain ? 'v' : `m${part}`, plain)];
  if (c.code !== undefined) {
    // The code may be a UCUM code or, without a system, the human unit as written.
    stated.push(!plain ? { [col('code')]: c.code } : c.system ? { c: c.code } : { $or: [{ c: c.code }, { u: c.code }] });
  }
  if (c.system !== undefined && plain) {
    stated.push({ s: c.system });
  }
  // A UCUM unit with a known conversion also matches the same amount in another unit (5.4 mmol/L = 5400 umol/L).
  const canonical = !plain || c.code === undefined ? undefined : canonicalUnit(c.system ?? ucumSystem, c.code);
  if (!canonical) {
    return { $and: stated };
  }
  const [canonicalCode, factor] = canonical;
  const scaled = { ...c, value: scaleToCanonical(c.value, factor), low: scaleToCanonical(c.low, factor), high: scaleToCanonical(c.high, factor) };
  const inCanonical: Document = { $and: [{ cc: canonicalCode }, numeric(scaled, 'clo', 'chi', 'cv', true)] };
  // In its dimension's canonical unit (kg, mmol/L), every entry the stated unit matches holds the same
  // values in the canonical fields: the quantity_canonical index alone finds them (as in SQLite, value-sql.ts).
  return factor === 1 && c.system === ucumSystem ? inCanonical : { $or: [{ $and: stated }, inCanonical] };
}

function referenceCondition(c: ValueCondition & { type: 'reference' }, col: Fields, inPart: boolean): Document {
  if (inPart) {
    return { [col('id')]: c.id ?? c.url ?? '' };
  }
  if (c.identifierSystem !== undefined || c.identifierValue !== undefined) {
    const condition: Document = {};
    if (c.identifierSystem !== undefined) {
      condition.is = c.identifierSystem;
    }
    if (c.identifierValue !== undefined) {
      condition.iv = c.identifierValue;
    }
    return condition;
  }
  if (c.url !== undefined) {
    return c.version !== undefined ? { url: c.url, ver: c.version } : { url: c.url };
  }
  if (c.targetTypes?.length) {
    return { k: { $in: c.targetTypes.map((type) => `${type}/${c.id ?? ''}`) } };
  }
  return { i: c.id ?? '' };
}

/**
 * Numbers and quantities (https://hl7.org/fhir/R4/search.html#number): eq, ne and ap test the stored
 * point against the search value's implicit-precision range; the other prefixes compare values. A
 * stored point is `point` (a plain entry's value; a composite part's middle); a stored Range has no
 * value and is compared by its ends. `mayBeRange` is false for composite parts, which are always points.
 */
function numeric(c: RangeCondition & { value: number }, low: string, high: string, point: string, mayBeRange: boolean): Document {
  const isRange: Document = { [point]: { $exists: false } };
  const orRange = (range: Document): Document[] => (mayBeRange ? [{ $and: [isRange, range] }] : []);
  const byPointOr = (op: '$gt' | '$gte' | '$lt' | '$lte', end: string): Document => ({
    $or: [{ [point]: { [op]: c.value } }, ...orRange({ [end]: { [op]: c.value } })],
  });
  switch (c.prefix) {
    case 'eq':
    case 'ap': {
      const widen = c.prefix === 'ap' ? valueApproximation(c) : 0;
      return { $or: [{ [point]: { $gte: c.low - widen, $lt: c.high + widen } }, ...orRange(ranges([c], low, high, valueApproximation))] };
    }
    case 'ne':
      return {
        $or: [{ [point]: { $lt: c.low } }, { [point]: { $gte: c.high } }, ...orRange(ranges([c], low, high, valueApproximation))],
      };
    case 'gt':
    case 'sa':
      return byPointOr('$gt', high);
    case 'ge':
      return byPointOr('$gte', high);
    case 'lt':
    case 'eb':
      return byPointOr('$lt', low);
    case 'le':
      return byPointOr('$lte', low);
  }
}

/**
 * Range conditions (any of them) on the stored [low, high). `highOffset` shifts the bounds on `high`
 * for a stored high that is low + offset (the 1 ms of _lastUpdated, whose document holds one instant).
 */
export function ranges(conditions: RangeCondition[], low: string, high: string, approximation: Approximation, highOffset = 0): Document {
  const alternatives: Document[] = [];
  for (const condition of conditions) {
    for (const bounds of rangeBounds(condition, approximation)) {
      const and: Document[] = bounds.map((b) =>
        b.field === 'low' ? { [low]: { [comparison[b.op]]: b.value } } : { [high]: { [comparison[b.op]]: b.value - highOffset } }
      );
      alternatives.push(and.length === 1 ? and[0] : { $and: and });
    }
  }
  return alternatives.length ? { $or: alternatives } : never;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
