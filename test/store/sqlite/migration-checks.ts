// What the index migration tests check on a migrated file: an index's columns, and a search's ids.
import type { DatabaseSync } from 'node:sqlite';
import type { ResourceStore } from '../../../server/store/port';
import { testSearchPlan } from '../../helpers/test-server';

/** The columns of an index, in order. */
export const indexColumns = (db: DatabaseSync, index: string): string[] =>
  (db.prepare(`PRAGMA index_info(${index})`).all() as { name: string }[]).map((c) => c.name);

/** The ids a search finds, sorted. */
export async function searchIds(store: ResourceStore, resourceType: string, query: string): Promise<string[]> {
  return (await store.search(testSearchPlan(resourceType, query))).resources.map((r) => r.id!).sort();
}
