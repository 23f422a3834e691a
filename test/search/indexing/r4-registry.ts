// One registry of the R4 search parameters shared by the indexing tests (building it indexes @medplum/core's
// schema once, about half a second), and a way to read one parameter's entries without the `param` field.
import type { Resource } from '@medplum/fhirtypes';
import { extractIndexEntries, type IndexEntries, SearchParameterRegistry } from '../../../server/search/indexing/index-entries';

let registry: SearchParameterRegistry | undefined;

export function r4Registry(): SearchParameterRegistry {
  registry ??= new SearchParameterRegistry();
  return registry;
}

/** Extracts entries, failing the test on any expression error. */
export function entriesOf(resource: Resource, withRegistry: SearchParameterRegistry = r4Registry()): IndexEntries {
  return extractIndexEntries(resource, withRegistry, {
    onError: (param, error) => {
      throw new Error(`${param}: ${String(error)}`);
    },
  });
}

/** The entries of one parameter, without their `param` field, in extraction order. */
type EntryLists = Required<IndexEntries>;

export function valuesOf<K extends keyof EntryLists>(
  entries: IndexEntries,
  kind: K,
  param: string
): Omit<EntryLists[K][number], 'param'>[] {
  return ((entries[kind] ?? []) as { param: string }[])
    .filter((e) => e.param === param)
    .map(({ param: _param, ...rest }) => rest) as Omit<EntryLists[K][number], 'param'>[];
}

export const ms = (iso: string): number => Date.parse(iso);
