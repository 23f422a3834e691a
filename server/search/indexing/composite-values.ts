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
  const values: TypedValue[][] = [];
  for (const item of items) {
    // A composite value needs every component: evaluate them all before converting any.
    values.length = 0;
    for (const component of components) {
      const componentValues = evalComponent(component, item, context);
      if (componentValues.length === 0) {
        break;
      }
      values.push(componentValues);
    }
    if (values.length < components.length) {
      continue;
    }
    const choices: CompositePart[][] = [];
    for (let i = 0; i < components.length; i++) {
      const parts = componentParts(components[i], values[i], resourceTypes);
      if (parts.length === 0) {
        break;
      }
      choices.push(parts);
    }
    if (choices.length === components.length) {
      combine(choices, 0, [], out);
    }
  }
}

function evalComponent(component: CompiledComponent, item: TypedValue, context: AtomContext): TypedValue[] {
  let paths = component.paths.get(item.type);
  if (paths === undefined) {
    paths = component.branches.map((branch) => compileSimplePath(branch.expression, item.type) ?? null);
    component.paths.set(item.type, paths);
  }
  const values: TypedValue[] = [];
  for (let i = 0; i < paths.length; i++) {
    const path = paths[i];
    values.push(...(path ? evalSimplePath(path, item) : unboxPrimitives(component.branches[i].atom.eval(context, [item]))));
  }
  return values;
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
