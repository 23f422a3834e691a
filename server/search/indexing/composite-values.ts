// Composite index values: for each value of the composite's expression (an Observation, one of its
// components, a useContext), every combination of its component values, so that a blood-pressure panel's
// systolic code is never paired with the diastolic value. https://hl7.org/fhir/R4/search.html#composite
import type { AtomContext, TypedValue } from '@medplum/core';
import type { CompiledComponent } from './compiled-parameters';
import { addDateValues } from './date-values';
import { unboxPrimitives } from './primitive-values';
import { compileSimplePath, evalSimplePath } from './simple-path';
import { addNumberValues } from './number-values';
import { addQuantityValues } from './quantity-values';
import { addReferenceValues } from './reference-values';
import { addStringValues } from './string-values';
import { addTokenValues } from './token-values';
import type { CompositePart, CompositeValue, TokenValue } from './types';
import { addUriValues } from './uri-values';

export function addCompositeValues(
  items: TypedValue[],
  components: CompiledComponent[],
  context: AtomContext,
  resourceTypes: ReadonlySet<string>,
  out: CompositeValue[]
): void {
  for (const item of items) {
    const choices: CompositePart[][] = [];
    for (const component of components) {
      const parts = componentParts(component, unboxPrimitives(evalComponent(component, item, context)), resourceTypes);
      if (parts.length === 0) {
        break; // a composite value needs every component
      }
      choices.push(parts);
    }
    if (choices.length === components.length) {
      combine(choices, 0, [], out);
    }
  }
}

function evalComponent(component: CompiledComponent, item: TypedValue, context: AtomContext): TypedValue[] {
  let path = component.paths.get(item.type);
  if (path === undefined) {
    path = compileSimplePath(component.expression, item.type) ?? null;
    component.paths.set(item.type, path);
  }
  return path ? evalSimplePath(path, item) : component.atom.eval(context, [item]);
}

function componentParts(component: CompiledComponent, values: TypedValue[], resourceTypes: ReadonlySet<string>): CompositePart[] {
  switch (component.type) {
    case 'token': {
      const tokens: TokenValue[] = [];
      addTokenValues(values, tokens);
      // Composite search matches system|code; text-only and :of-type forms take no part.
      return tokens
        .filter((t) => (t.system !== undefined || t.code !== undefined) && t.typeSystem === undefined && t.typeCode === undefined)
        .map((t) => tagged('token', t.system === undefined ? { code: t.code } : { system: t.system, code: t.code }));
    }
    case 'quantity':
      return collect('quantity', values, addQuantityValues);
    case 'date':
      return collect('date', values, addDateValues);
    case 'number':
      return collect('number', values, addNumberValues);
    case 'string':
      return collect('string', values, addStringValues);
    case 'uri':
      return collect('uri', values, addUriValues);
    case 'reference':
      return collect('reference', values, (v, out) => addReferenceValues(v, out, resourceTypes));
    default:
      return [];
  }
}

function collect<V extends object>(type: CompositePart['type'], values: TypedValue[], add: (values: TypedValue[], out: V[]) => void): CompositePart[] {
  const out: V[] = [];
  add(values, out);
  return out.map((v) => tagged(type, v));
}

function tagged(type: CompositePart['type'], value: object): CompositePart {
  return { type, ...value } as CompositePart;
}

function combine(choices: CompositePart[][], index: number, prefix: CompositePart[], out: CompositeValue[]): void {
  if (index === choices.length) {
    out.push({ parts: prefix });
    return;
  }
  for (const part of choices[index]) {
    combine(choices, index + 1, [...prefix, part], out);
  }
}
