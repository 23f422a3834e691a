// A resource's index entries in two parts, so that most of the extraction can run before the store's
// transaction (on a read thread, beside validation: docs/performance.md, "Transaction ingest"): the
// entries of the parameters that cannot read what the store sets on each version inside its transaction
// (the id of a create, meta.versionId, meta.lastUpdated), extracted from the resource as planned; and the
// entries of the others, extracted from the version as stored. Together they are exactly the entries
// extractIndexEntries gives for the stored version (test/search/indexing/planned-extraction.test.ts).
import type { Resource } from '@medplum/fhirtypes';
import type { CompiledParameter } from './compiled-parameters';
import { emptyIndexEntries, extractIndexEntries } from './index-entries';
import type { SearchParameterRegistry } from './registry';
import type { IndexEntries } from './types';

/** Entries extracted ahead of the write, valid for a resource whose plannedText is `text`. */
export interface PlannedIndex {
  text: string;
  entries: IndexEntries;
}

/** Elements a parameter may read only through these paths without reading what the store sets. */
const metaWithoutStoreFields = /\bmeta\s*\.\s*(?:tag|profile|security|source)\b/g;
/**
 * What may read the store's fields: `id` anywhere (a conservative reading: an element's own id, or a
 * string 'id', counts too), meta itself or its versionId and lastUpdated, the resource as a variable,
 * and the functions that walk into every element.
 */
const storeFieldReads = /\b(?:id|versionId|lastUpdated|meta)\b|%(?:resource|rootResource|context)\b|\b(?:descendants|children|repeat)\s*\(/;

const decided = new WeakMap<CompiledParameter, boolean>();
/** Per type's index plan: whether any of its parameters reads the store's fields. */
const planReads = new WeakMap<readonly CompiledParameter[], boolean>();

/**
 * Whether the parameter's values may depend on the id, meta.versionId or meta.lastUpdated of the
 * resource; decided from its expressions as published, erring towards yes: such a parameter is extracted
 * from the version as stored, as before, and a wrong yes only costs the writer the extraction.
 */
export function readsStoreSetFields(parameter: CompiledParameter): boolean {
  let reads = decided.get(parameter);
  if (reads === undefined) {
    const expressions = [parameter.def.expression, ...(parameter.def.components ?? []).map((c) => c.expression)];
    // A branch that is the resource itself (its whole value converted) reads every element.
    const wholeResource = parameter.def.type !== 'composite' && parameter.branches.some((b) => !b.atom && !b.path);
    reads = wholeResource || expressions.some((e) => storeFieldReads.test(e.replace(metaWithoutStoreFields, '')));
    decided.set(parameter, reads);
  }
  return reads;
}

/**
 * The resource without what the store sets (id, meta.versionId, meta.lastUpdated), as JSON text: the
 * key under which planned entries are taken, by the writer only for a resource with the same text.
 */
export function plannedText(resource: Resource): string {
  return JSON.stringify(withoutStoreFields(resource));
}

function withoutStoreFields(resource: Resource): Resource {
  // A POST's body usually has neither: it is its own planned form (and its text the same).
  if (resource.id === undefined && resource.meta === undefined) {
    return resource;
  }
  const { id: _id, meta, ...rest } = resource;
  if (!meta) {
    return rest as Resource;
  }
  const { versionId: _v, lastUpdated: _l, ...metaRest } = meta;
  return (Object.keys(metaRest).length ? { ...rest, meta: metaRest } : rest) as Resource;
}

/** The entries of the parameters that do not read the store's fields, from the resource as planned. */
/** `text`: the resource's JSON text, when the caller has it already. */
export function extractPlannedIndex(resource: Resource, registry: SearchParameterRegistry, text?: string): PlannedIndex {
  const planned = withoutStoreFields(resource);
  return {
    text: planned === resource && text !== undefined ? text : JSON.stringify(planned),
    entries: extractIndexEntries(planned, registry, { include: (p) => !readsStoreSetFields(p) }),
  };
}

/** The entries of the parameters that may read the store's fields, from the version as stored. */
export function extractStoreSetEntries(stored: Resource, registry: SearchParameterRegistry): IndexEntries {
  // Most types have none (of the R4 parameters, two composites of MolecularSequence): nothing to walk.
  const plan = registry.indexPlan(stored.resourceType);
  let any = planReads.get(plan);
  if (any === undefined) {
    any = plan.some(readsStoreSetFields);
    planReads.set(plan, any);
  }
  if (!any) {
    return emptyIndexEntries();
  }
  return extractIndexEntries(stored, registry, { include: readsStoreSetFields });
}

/** Both parts as one resource's entries: each list is the two parts' lists one after the other. */
export function mergeEntries(planned: IndexEntries, storeSet: IndexEntries): IndexEntries {
  if (isEmpty(storeSet)) {
    return planned;
  }
  const merged: IndexEntries = {
    strings: [...planned.strings, ...storeSet.strings],
    tokens: [...planned.tokens, ...storeSet.tokens],
    dates: [...planned.dates, ...storeSet.dates],
    numbers: [...planned.numbers, ...storeSet.numbers],
    quantities: [...planned.quantities, ...storeSet.quantities],
    references: [...planned.references, ...storeSet.references],
    uris: [...planned.uris, ...storeSet.uris],
    composites: [...planned.composites, ...storeSet.composites],
  };
  if (planned.unique || storeSet.unique) {
    merged.unique = [...(planned.unique ?? []), ...(storeSet.unique ?? [])];
  }
  return merged;
}

function isEmpty(entries: IndexEntries): boolean {
  const { strings, tokens, dates, numbers, quantities, references, uris, composites, unique } = entries;
  return !(strings.length || tokens.length || dates.length || numbers.length || quantities.length || references.length || uris.length || composites.length || unique?.length);
}
