// Extracts every search parameter's index entries from a resource at write time: the store adapter writes them
// into its index tables. Expressions are parsed once per resource type (see SearchParameterRegistry) and a
// branch whose first element is absent from the resource is not evaluated. https://hl7.org/fhir/R4/search.html
import type { AtomContext, TypedValue } from '@medplum/core';
import { toTypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { CompiledBranch, CompiledParameter } from './compiled-parameters';
import { addCompositeValues } from './composite-values';
import { addDateValues } from './date-values';
import { addNumberValues } from './number-values';
import { addQuantityValues } from './quantity-values';
import { addReferenceValues } from './reference-values';
import { unboxPrimitives } from './primitive-values';
import { evalSimplePath } from './simple-path';
import type { SearchParameterRegistry } from './registry';
import { addStringValues } from './string-values';
import { addTokenValues } from './token-values';
import type { Entry, IndexEntries } from './types';
import { addUriValues } from './uri-values';

export { SearchParameterRegistry } from './registry';
export { normalizeSearchString } from './normalize-string';
export type * from './types';

export interface ExtractOptions {
  /**
   * Called when a parameter's expression fails on this resource; the parameter is then not indexed for it.
   * Without it such failures are silent: a write is never refused because of its index.
   */
  onError?: (param: string, error: unknown) => void;
}

export function extractIndexEntries(
  resource: Resource,
  registry: SearchParameterRegistry,
  options: ExtractOptions = {}
): IndexEntries {
  const entries: IndexEntries = {
    strings: [],
    tokens: [],
    dates: [],
    numbers: [],
    quantities: [],
    references: [],
    uris: [],
    composites: [],
  };
  const seen = new Set<string>();
  const typed = toTypedValue(resource);
  const context: AtomContext = { variables: { '%resource': typed, '%rootResource': typed } };
  const json = resource as unknown as Record<string, unknown>;
  for (const parameter of registry.indexPlan(resource.resourceType)) {
    try {
      extractParameter(parameter, json, typed, context, registry.resourceTypes, entries, seen);
    } catch (error) {
      options.onError?.(parameter.def.code, error);
    }
  }
  return entries;
}

function extractParameter(
  parameter: CompiledParameter,
  json: Record<string, unknown>,
  typed: TypedValue,
  context: AtomContext,
  resourceTypes: ReadonlySet<string>,
  entries: IndexEntries,
  seen: Set<string>
): void {
  const { def } = parameter;
  for (const branch of parameter.branches) {
    if (branch.presenceKeys && !hasAnyKey(json, branch.presenceKeys)) {
      continue;
    }
    const values = branch.path
      ? evalSimplePath(branch.path, typed)
      : branch.atom
        ? unboxPrimitives(branch.atom.eval(context, [typed]))
        : [typed];
    if (values.length === 0) {
      continue;
    }
    switch (def.type) {
      case 'string':
        addEntries(def.code, values, addStringValues, entries.strings, seen, 's');
        break;
      case 'token':
        addEntries(def.code, values, addTokenValues, entries.tokens, seen, 't');
        break;
      case 'date':
        addEntries(def.code, values, addDateValues, entries.dates, seen, 'd');
        break;
      case 'number':
        addEntries(def.code, values, addNumberValues, entries.numbers, seen, 'n');
        break;
      case 'quantity':
        addEntries(def.code, values, addQuantityValues, entries.quantities, seen, 'q');
        break;
      case 'uri':
        addEntries(def.code, values, addUriValues, entries.uris, seen, 'u');
        break;
      case 'reference':
        addEntries(def.code, values, referencesOf(resourceTypes, branch), entries.references, seen, 'r');
        break;
      case 'composite':
        addEntries(
          def.code,
          values,
          (items, out) => addCompositeValues(items, parameter.components ?? [], context, resourceTypes, out),
          entries.composites,
          seen,
          'c'
        );
        break;
      // 'special' (Location near) has no index entries of these kinds.
    }
  }
}

function referencesOf(resourceTypes: ReadonlySet<string>, branch: CompiledBranch) {
  return (values: TypedValue[], out: Parameters<typeof addReferenceValues>[1]): void =>
    addReferenceValues(values, out, resourceTypes, branch.requiredType);
}

/** Converts values and appends the entries not seen before in this resource. */
function addEntries<V extends object>(
  param: string,
  values: TypedValue[],
  convert: (values: TypedValue[], out: V[]) => void,
  target: Entry<V>[],
  seen: Set<string>,
  kind: string
): void {
  const converted: V[] = [];
  convert(values, converted);
  for (const value of converted) {
    const key = kind === 'c' ? kind + param + '\u0000' + JSON.stringify(value) : flatKey(kind + param, value);
    if (!seen.has(key)) {
      seen.add(key);
      const entry = value as Entry<V>;
      entry.param = param;
      target.push(entry);
    }
  }
}

/** A key for a flat value object: field names and values, in the (fixed) order the converters set them. */
function flatKey(prefix: string, value: object): string {
  let key = prefix;
  for (const field in value) {
    key += '\u0000' + field + '\u0001' + (value as Record<string, unknown>)[field];
  }
  return key;
}

function hasAnyKey(json: Record<string, unknown>, keys: string[]): boolean {
  for (const key of keys) {
    if (json[key] !== undefined) {
      return true;
    }
  }
  return false;
}
