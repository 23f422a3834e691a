// Extracts every search parameter's index entries from a resource at write time: the store adapter writes them
// into its index tables. Expressions are compiled once per resource type (see SearchParameterRegistry); most
// are plain paths walked directly (simple-path.ts), the rest evaluated with @medplum/core's FHIRPath.
// https://hl7.org/fhir/R4/search.html
import type { AtomContext, TypedValue } from '@medplum/core';
import { toTypedValue } from '@medplum/core';
import type { Resource } from '@medplum/fhirtypes';
import type { CompiledBranch, CompiledParameter } from './compiled-parameters';
import { addCompositeValues } from './composite-values';
import { addDateValues } from './date-values';
import { addNumberValues } from './number-values';
import { unboxPrimitives } from './primitive-values';
import { addQuantityValues } from './quantity-values';
import { addReferenceValues } from './reference-values';
import type { SearchParameterRegistry } from './registry';
import { evalSimplePath } from './simple-path';
import { addStringValues } from './string-values';
import { addTokenValues } from './token-values';
import type { CompositeValue, Entry, IndexEntries, ReferenceValue } from './types';
import { uniqueValues } from './unique-values';
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
  /** Only the parameters this accepts are extracted (planned-extraction.ts splits a resource's extraction in two). */
  include?: (parameter: CompiledParameter) => boolean;
}

/** What one evaluation needs besides the parameter. */
interface Extraction {
  json: Record<string, unknown>;
  typed: TypedValue;
  context: AtomContext;
  resourceTypes: ReadonlySet<string>;
}

/** Entries of no value at all: where extraction starts, and what a resource without indexed values has. */
export function emptyIndexEntries(): IndexEntries {
  return { strings: [], tokens: [], dates: [], numbers: [], quantities: [], references: [], uris: [], composites: [] };
}

export function extractIndexEntries(
  resource: Resource,
  registry: SearchParameterRegistry,
  options: ExtractOptions = {}
): IndexEntries {
  const entries = emptyIndexEntries();
  const typed = toTypedValue(resource);
  const extraction: Extraction = {
    json: resource as unknown as Record<string, unknown>,
    typed,
    context: { variables: { '%resource': typed, '%rootResource': typed } },
    resourceTypes: registry.resourceTypes,
  };
  let unique: Set<string> | undefined;
  for (const parameter of registry.indexPlan(resource.resourceType)) {
    if (options.include && !options.include(parameter)) {
      continue;
    }
    try {
      extractParameter(parameter, extraction, entries);
    } catch (error) {
      options.onError?.(parameter.def.code, error);
    }
    if (parameter.def.unique) {
      (unique ??= new Set()).add(parameter.def.code);
    }
  }
  if (unique) {
    entries.unique = entries.tokens
      .filter((t) => unique.has(t.param) && t.system && t.code && t.typeSystem === undefined && t.typeCode === undefined)
      .map((t) => ({ param: t.param, system: t.system as string, code: t.code as string }));
  }
  return entries;
}

function extractParameter(parameter: CompiledParameter, extraction: Extraction, entries: IndexEntries): void {
  const { code, type } = parameter.def;
  switch (type) {
    case 'string':
      return append(code, convertBranches(parameter, extraction, addStringValues), entries.strings);
    case 'token':
      return append(code, convertBranches(parameter, extraction, addTokenValues), entries.tokens);
    case 'date':
      return append(code, convertBranches(parameter, extraction, addDateValues), entries.dates);
    case 'number':
      return append(code, convertBranches(parameter, extraction, addNumberValues), entries.numbers);
    case 'quantity':
      return append(code, convertBranches(parameter, extraction, addQuantityValues), entries.quantities);
    case 'uri':
      return append(code, convertBranches(parameter, extraction, addUriValues), entries.uris);
    case 'reference':
      return append(
        code,
        convertBranches<ReferenceValue>(parameter, extraction, (values, out, branch) =>
          addReferenceValues(values, out, extraction.resourceTypes, branch.requiredType)
        ),
        entries.references
      );
    case 'composite':
      return append(
        code,
        convertBranches<CompositeValue>(parameter, extraction, (items, out) =>
          addCompositeValues(items, parameter.components ?? [], extraction.context, extraction.resourceTypes, out)
        ),
        entries.composites
      );
    case 'special':
      return; // Location near: a geographic index, not one of these kinds.
  }
}

/** Evaluates each branch that can yield something and converts its values into one list. */
function convertBranches<V>(
  parameter: CompiledParameter,
  { json, typed, context }: Extraction,
  convert: (values: TypedValue[], out: V[], branch: CompiledBranch) => void
): V[] {
  const out: V[] = [];
  for (const branch of parameter.branches) {
    let values: TypedValue[];
    if (branch.path) {
      values = evalSimplePath(branch.path, typed);
    } else if (branch.atom) {
      if (branch.presenceKeys && !hasAnyKey(json, branch.presenceKeys)) {
        continue;
      }
      values = unboxPrimitives(branch.atom.eval(context, [typed]));
    } else {
      values = [typed];
    }
    if (values.length > 0) {
      convert(values, out, branch);
    }
  }
  return out;
}

function append<V extends object>(param: string, values: V[], target: Entry<V>[]): void {
  for (const value of uniqueValues(values)) {
    const entry = value as Entry<V>;
    entry.param = param;
    target.push(entry);
  }
}

function hasAnyKey(json: Record<string, unknown>, keys: string[]): boolean {
  for (const key of keys) {
    if (json[key] !== undefined) {
      return true;
    }
  }
  return false;
}
