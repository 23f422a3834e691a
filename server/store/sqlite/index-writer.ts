// Writes a resource's search index entries into the idx_* tables, replacing its previous rows. Only
// current versions are indexed; a delete removes the rows.
import { uniqueConflict } from '../unique-conflict';
import type { Resource } from '@medplum/fhirtypes';
import { mergeEntries, plannedText, type PlannedIndex } from '../../search/indexing/planned-extraction';
import type { CompositePart, IndexEntries, ResourceIndexer } from '../../search/indexing/types';
import type { ParamIds } from './param-ids';
import type { StatementCache } from './statement-cache';

export const indexTables = [
  'idx_string',
  'idx_token',
  'idx_date',
  'idx_number',
  'idx_quantity',
  'idx_reference',
  'idx_uri',
  'idx_composite',
  'idx_unique',
] as const;

type Cell = string | number | null;

const inserts = {
  strings: 'INSERT INTO idx_string (param_id, value, exact, key) VALUES (?, ?, ?, ?)',
  tokens: 'INSERT INTO idx_token (param_id, system, code, text, type_system, type_code, date_high, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  dates: 'INSERT INTO idx_date (param_id, low, high, key) VALUES (?, ?, ?, ?)',
  numbers: 'INSERT INTO idx_number (param_id, value, low, high, key) VALUES (?, ?, ?, ?, ?)',
  quantities:
    'INSERT INTO idx_quantity (param_id, value, low, high, system, code, unit, canonical_code, canonical_value, canonical_low, canonical_high, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  references:
    'INSERT INTO idx_reference (param_id, target_type, target_id, version, url, identifier_system, identifier_value, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  uris: 'INSERT INTO idx_uri (param_id, value, key) VALUES (?, ?, ?)',
  // Another holder of the value is not replaced: the statement inserts nothing and the caller refuses the write.
  unique: 'INSERT INTO idx_unique (param_id, system, code, key) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
  composites:
    'INSERT INTO idx_composite (param_id, p0_a, p0_b, p0_low, p0_high, p1_a, p1_b, p1_low, p1_high, p2_a, p2_b, p2_low, p2_high, key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
};

/** A composite part in the generic columns: a (code, value, id), b (system, type), low, high. */
export function compositeColumns(part: CompositePart | undefined): [Cell, Cell, Cell, Cell] {
  if (!part) {
    return [null, null, null, null];
  }
  switch (part.type) {
    case 'token':
      return [part.code ?? null, part.system ?? null, null, null];
    case 'quantity':
      return [part.code ?? null, part.system ?? null, part.low, part.high];
    case 'date':
    case 'number':
      return [null, null, part.low, part.high];
    case 'string':
    case 'uri':
      return [part.value, null, null, null];
    case 'reference':
      return [part.targetId ?? part.url ?? null, part.targetType ?? null, null, null];
  }
}

/** The highest `high` of the resource's `date` parameter: what a newest-first sort on it orders by. */
function newestDateOf(entries: IndexEntries): number | null {
  let newest: number | null = null;
  for (const e of entries.dates) {
    if (e.param === 'date' && (newest === null || e.high > newest)) {
      newest = e.high;
    }
  }
  return newest;
}

/**
 * A stored version's index entries: those extracted ahead of the write (on a read thread, with its
 * validation) when `resource` is the very text they were extracted from, apart from what the store sets,
 * plus those of the parameters that read what it sets; otherwise all of them, extracted here.
 */
export function storedIndexEntries(indexer: ResourceIndexer, resource: Resource, stored: Resource, planned: PlannedIndex | undefined): IndexEntries {
  if (planned && indexer.split && plannedText(resource) === planned.text) {
    return mergeEntries(planned.entries, indexer.split.storeSetEntries(stored));
  }
  return indexer(stored);
}

export function deleteIndexRows(writes: StatementCache, key: number): void {
  for (const table of indexTables) {
    writes.get(`DELETE FROM ${table} WHERE key = ?`).run(key);
  }
}

export function insertIndexRows(
  writes: StatementCache,
  paramIds: ParamIds,
  resourceType: string,
  key: number,
  entries: IndexEntries
): void {
  const id = (code: string): number => paramIds.obtain(writes, resourceType, code);
  const n = (v: string | number | undefined): Cell => (v === undefined ? null : v);
  for (const e of entries.strings) {
    writes.get(inserts.strings).run(id(e.param), e.value, e.exact, key);
  }
  // Each token row carries its resource's newest `date` (schema.ts, migration 9: the token and date index).
  const newestDate = newestDateOf(entries);
  for (const e of entries.tokens) {
    writes.get(inserts.tokens).run(id(e.param), n(e.system), n(e.code), n(e.text), n(e.typeSystem), n(e.typeCode), newestDate, key);
  }
  for (const e of entries.dates) {
    writes.get(inserts.dates).run(id(e.param), e.low, e.high, key);
  }
  for (const e of entries.numbers) {
    writes.get(inserts.numbers).run(id(e.param), n(e.value), e.low, e.high, key);
  }
  for (const e of entries.quantities) {
    writes
      .get(inserts.quantities)
      .run(
        id(e.param),
        n(e.value),
        e.low,
        e.high,
        n(e.system),
        n(e.code),
        n(e.unit),
        n(e.canonicalCode),
        n(e.canonicalValue),
        n(e.canonicalLow),
        n(e.canonicalHigh),
        key
      );
  }
  for (const e of entries.references) {
    writes
      .get(inserts.references)
      .run(id(e.param), n(e.targetType), n(e.targetId), n(e.version), n(e.url), n(e.identifierSystem), n(e.identifierValue), key);
  }
  for (const e of entries.uris) {
    writes.get(inserts.uris).run(id(e.param), e.value, key);
  }
  for (const e of entries.composites) {
    writes
      .get(inserts.composites)
      .run(id(e.param), ...compositeColumns(e.parts[0]), ...compositeColumns(e.parts[1]), ...compositeColumns(e.parts[2]), key);
  }
  for (const e of entries.unique ?? []) {
    const { changes } = writes.get(inserts.unique).run(id(e.param), e.system, e.code, key);
    if (changes === 0) {
      const holder = writes
        .get(
          `SELECT r.resource_type AS resourceType, r.id AS id FROM idx_unique u JOIN resources r ON r.key = u.key
           WHERE u.param_id = ? AND u.system = ? AND u.code = ?`
        )
        .get(id(e.param), e.system, e.code) as { resourceType: string; id: string } | undefined;
      throw uniqueConflict(holder && `${holder.resourceType}/${holder.id}`, resourceType, e.param, e.system);
    }
  }
}
