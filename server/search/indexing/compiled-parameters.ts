// Turns a SearchParameter's FHIRPath into what one resource type evaluates, once per type: only the union
// branches rooted at that type (or at Resource), with the type prefix stripped, each parsed once and, when it
// is a plain path, compiled to steps that skip FHIRPath. https://hl7.org/fhir/R4/searchparameter.html
import type { Atom, FhirPathAtom } from '@medplum/core';
import { parseFhirPath, UnionAtom } from '@medplum/core';
import { elementKeys } from './fhir-schema';
import { compileSimplePath, type PathStep } from './simple-path';
import type { SearchParameterDef, SearchParameterType } from './types';

/** One branch of a parameter's expression as it applies to one resource type. */
export interface CompiledBranch {
  /** The branch's FHIRPath relative to the type, as written ('' for the resource itself): equal texts, equal values. */
  text: string;
  /** Evaluated with the resource as input; absent when the branch is the resource itself ('Observation'). */
  atom?: FhirPathAtom;
  /** The same as plain steps, when it is a plain path (see simple-path.ts): evaluated instead of `atom`. */
  path?: PathStep[];
  /**
   * For a FHIRPath branch: it yields nothing unless the resource has one of these keys (e.g. effectiveDateTime
   * for `effective.exists()`), so it is not evaluated otherwise. A plain path checks this by itself.
   */
  presenceKeys?: string[];
  /** From `.where(resolve() is Type)`: keep only references that point at this type. */
  requiredType?: string;
}

export interface CompiledComponent {
  /** The component parameter's type, which decides how its values are indexed. */
  type: SearchParameterType;
  /** The union branches of its expression, each evaluated with one value of the composite's expression. */
  branches: { expression: string; atom: FhirPathAtom }[];
  /** Per input type (Observation, ObservationComponent), each branch as plain steps or null; filled on use. */
  paths: Map<string, (PathStep[] | null)[]>;
}

export interface CompiledParameter {
  def: SearchParameterDef;
  branches: CompiledBranch[];
  components?: CompiledComponent[];
}

const wholeResourceBases = new Set(['Resource', 'DomainResource']);
/** `Type.rest` or a bare path such as `name` (InsurancePlan-name has no type prefix). */
const leadingName = /^([A-Za-z][A-Za-z0-9_]*)(?=\.|$)/;
/** The first type name inside a parenthesised branch, e.g. `(Patient.deceased.exists() and ...)`. */
const innerTypeName = /^\(*([A-Z][A-Za-z0-9_]*)\./;
const resolveIsType = /^(.+)\.where\(\(?resolve\(\) is ([A-Za-z]+)\)?\)$/;
const firstElement = /^([a-z][A-Za-z0-9_]*)(?![A-Za-z0-9_(])/;

/**
 * Compiles `def` for `resourceType`; undefined when no branch applies to that type. Throws when the expression
 * does not parse or a composite names an unknown component.
 */
export function compileForType(
  def: SearchParameterDef,
  resourceType: string,
  componentType: (url: string) => SearchParameterType | undefined
): CompiledParameter | undefined {
  const branches: CompiledBranch[] = [];
  for (const branch of unionBranches(parseFhirPath(def.expression).child)) {
    const relative = relativeToType(branch.toString(), resourceType);
    if (relative !== undefined) {
      branches.push(compileBranch(relative, resourceType, def.type === 'reference'));
    }
  }
  if (branches.length === 0) {
    return undefined;
  }
  const compiled: CompiledParameter = { def, branches };
  if (def.type === 'composite') {
    compiled.components = (def.components ?? []).map((component) => {
      const type = componentType(component.definition);
      if (!type) {
        throw new Error(`${def.url}: unknown component ${component.definition}`);
      }
      const branches = unionBranches(parseFhirPath(component.expression).child).map((branch) => {
        const expression = branch.toString();
        return { expression, atom: parseFhirPath(expression) };
      });
      return { type, branches, paths: new Map() };
    });
  }
  return compiled;
}

function unionBranches(atom: Atom, out: Atom[] = []): Atom[] {
  if (atom instanceof UnionAtom) {
    unionBranches(atom.left, out);
    unionBranches(atom.right, out);
  } else {
    out.push(atom);
  }
  return out;
}

/**
 * The branch as evaluated on a resource of `resourceType`: 'Observation.code' -> 'code', 'Resource.meta.tag'
 * -> 'meta.tag', 'Observation' -> ''; undefined when the branch is rooted at another type.
 */
function relativeToType(branch: string, resourceType: string): string | undefined {
  const leading = leadingName.exec(branch);
  if (leading) {
    const name = leading[1];
    if (!isTypeName(name)) {
      return branch;
    }
    if (name === resourceType || wholeResourceBases.has(name)) {
      return branch.slice(name.length + 1);
    }
    return undefined;
  }
  const inner = innerTypeName.exec(branch);
  if (inner && inner[1] !== resourceType && !wholeResourceBases.has(inner[1])) {
    return undefined;
  }
  // Evaluated as written: a type name inside it matches the resource itself in FHIRPath.
  return branch;
}

function compileBranch(relative: string, resourceType: string, isReference: boolean): CompiledBranch {
  if (relative === '') {
    return { text: '' };
  }
  const branch: CompiledBranch = { text: relative };
  let expression = relative;
  const resolve = isReference ? resolveIsType.exec(relative) : null;
  if (resolve) {
    expression = resolve[1];
    branch.requiredType = resolve[2];
  }
  branch.atom = parseFhirPath(expression);
  branch.path = compileSimplePath(expression, resourceType);
  const element = branch.path ? null : firstElement.exec(expression);
  if (element) {
    const keys = elementKeys(resourceType, element[1]);
    if (keys) {
      branch.presenceKeys = keys;
    }
  }
  return branch;
}

function isTypeName(name: string): boolean {
  const first = name.charCodeAt(0);
  return first >= 65 && first <= 90;
}
