// Validates one resource against one compiled profile, synchronously. The walk follows the JSON: for
// each property present it finds the profile's element (through a per-schema table of JSON keys, so
// absent elements cost nothing), then checks what the profile says there
// (https://hl7.org/fhir/R4/profiling.html): cardinality, fixed and pattern values, choice-type
// restrictions, slices (their counts, closed slicing, and the rules inside each slice), invariants,
// Reference target types, and the content of extensions the profile names (against their own
// definitions). Terminology bindings need the (asynchronous) terminology service, so they are
// collected here and checked afterwards (binding-check.ts).
//
// @medplum/core's validateResource re-parses the profile on every call (about 300 a second), crawls
// every element of every schema whether present or not, and skips choice restrictions, slice content,
// reference targets and bindings. This walker reuses its parsed schemas, FHIRPath and slice matching.
import {
  arrayify,
  capitalize,
  evalFhirPathTyped,
  getNestedProperty,
  isEmpty,
  matchDiscriminant,
  isPrimitiveType,
  parseFhirPath,
  toTypedValue,
  tryGetDataType,
  type Constraint,
  type FhirPathAtom,
  type InternalSchemaElement,
  type InternalTypeSchema,
  type SliceDefinition,
  type SlicingRules,
  type TypedValue,
  type TypedValueWithPath,
} from '@medplum/core';
import type { OperationOutcomeIssue, Reference, Resource } from '@medplum/fhirtypes';
import type { CompiledProfile } from './compiled-profile';
import { choiceSuffix, describeSpecified, matchesSpecifiedValue, onlyId, typeOfValue } from './element-values';
import { extensionContexts, type Frame } from './extension-contexts';
import { nativeCheck } from './native-invariants';
import { referencedType } from './referenced-type';
import { tableOf, type SchemaTable } from './schema-table';
import { baseTypeOf, typeConstraints } from './type-constraints';
import { narrativeProblems } from './narrative-xhtml';

/** A coded value under a required or extensible binding, to be checked against the ValueSet. */
export interface BindingUse {
  path: string;
  valueSet: string;
  strength: 'required' | 'extensible';
  value: TypedValue;
}

/** An extension met anywhere in the resource, with where it sits, for the extension check (extension-check.ts). */
export interface ExtensionUse {
  url: string;
  path: string;
  /** What its place is called in an extension definition's context: 'Patient', 'Patient.contact.name', 'HumanName', ... */
  contexts: string[];
  /** JSON keys of the value it carries (valueString), to check against the definition's value[x] types. */
  valueKeys: string[];
  /** Walked along its definition as one the profile names: its value types are checked already. */
  walked: boolean;
}

export interface WalkResult {
  issues: OperationOutcomeIssue[];
  bindings: BindingUse[];
  extensions: ExtensionUse[];
}

// ele-1 (every element has a value or children) is what the empty-value check below already says, at a
// fraction of the cost; dom-3 needs descendants(), which @medplum/core's FHIRPath does not implement.
const skippedConstraints = new Set(['ele-1', 'dom-3', 'sdf-19']);
const terminologyTypes = new Set(['code', 'Coding', 'CodeableConcept']);
const ucum: TypedValue = toTypedValue('http://unitsofmeasure.org');

const parsedExpressions = new Map<string, FhirPathAtom>();
const htmlChecks = 'htmlChecks()';

export function walkProfile(resource: Resource, profile: CompiledProfile): WalkResult {
  const walker = new ProfileWalker(resource, profile);
  walker.walk();
  return { issues: walker.issues, bindings: walker.bindings, extensions: walker.extensions };
}

class ProfileWalker {
  readonly issues: OperationOutcomeIssue[] = [];
  readonly bindings: BindingUse[] = [];
  readonly extensions: ExtensionUse[] = [];
  private readonly root: TypedValueWithPath;
  private readonly resources: TypedValue[];
  /**
   * %rootResource for each resource on the way in: a contained resource's is its container's, any other
   * resource (a Bundle entry's, a Parameters part) is its own (https://hl7.org/fhir/R4/fhirpath.html#variables).
   */
  private readonly rootResources: TypedValue[];
  /** The complex-typed values (resources, data types, extensions) the walk is inside, innermost last. */
  private readonly frames: Frame[];

  constructor(
    private readonly resource: Resource,
    private readonly profile: CompiledProfile
  ) {
    this.root = { ...toTypedValue(resource), path: resource.resourceType };
    this.resources = [this.root];
    this.rootResources = [this.root];
    this.frames = [{ type: resource.resourceType, path: resource.resourceType, resource: true }];
  }

  walk(): void {
    this.checkConstraints(this.root, this.profile.schema.constraints);
    this.walkObject(this.root, this.profile.schema, this.profile.schema);
  }

  /** One object (resource, data type or backbone element) along its schema; `owner` holds its backbone types. */
  private walkObject(object: TypedValueWithPath, schema: InternalTypeSchema, owner: InternalTypeSchema): void {
    const json = object.value as Record<string, unknown>;
    const table = tableOf(schema);
    const own = this.profile.ownSchemas.has(schema);
    for (const required of table.required) {
      // A primitive may carry only extensions ("_status": {"extension": [...]}): it is present (https://hl7.org/fhir/R4/json.html#primitive).
      if (!required.keys.some((k) => json[k] !== undefined || json[`_${k}`] !== undefined)) {
        this.report('required', `${object.path}.${required.key}: required (at least ${required.element.min}), but missing`, `${object.path}.${required.key}`);
      }
    }
    for (const key in json) {
      if (key === 'resourceType') {
        continue;
      }
      const path = `${object.path}.${key}`;
      if (key.startsWith('_')) {
        this.walkPrimitiveElement(json[key], path);
        continue;
      }
      const entry = table.byKey.get(key);
      if (!entry) {
        if (own) {
          this.checkRestrictedChoice(key, path, table);
        }
        continue; // an unknown property is the base schema's to refuse
      }
      const raw = json[key];
      const values = Array.isArray(raw)
        ? raw.map((v, i): TypedValueWithPath => ({ type: typeOfValue(entry.type, v), value: v, path: `${path}[${i}]` }))
        : [{ type: typeOfValue(entry.type, raw), value: raw, path }];
      this.checkProperty(Array.isArray(raw) ? values : values[0], entry.element, path);
      for (const value of values) {
        this.walkValue(value, owner, entry.element);
      }
    }
    for (const [key, element] of table.nested) {
      for (const value of getNestedProperty(object, key, { withPath: true })) {
        this.checkProperty(value, element, `${object.path}.${key}`);
      }
    }
  }

  private walkValue(value: TypedValueWithPath, owner: InternalTypeSchema, element: InternalSchemaElement): void {
    if (value.value === null || typeof value.value !== 'object' || isPrimitiveType(value.type)) {
      return;
    }
    if (value.type === 'Extension') {
      const url = (value.value as { url?: string }).url;
      const definition = url === undefined ? undefined : this.profile.extensions.get(url);
      this.noteExtension(value, url, definition !== undefined);
      if (definition) {
        this.checkConstraints(value, definition.constraints);
        this.walkInFrame(value, definition, definition, url);
        return;
      }
    }
    const inner = owner.innerTypes.find((t) => t.name === value.type);
    if (inner) {
      this.walkObject(value, inner, owner);
      return;
    }
    const schema = tryGetDataType(value.type);
    if (!schema) {
      return;
    }
    const isResource = schema.kind === 'resource';
    if (isResource) {
      this.resources.push(value);
      this.rootResources.push(/\.contained\[\d+\]$/.test(value.path) ? this.rootResource() : value);
    }
    // The rules of the value's type (per-1 on a Period, qty-3 and sqty-1 on a SimpleQuantity, dom-2 on a
    // contained resource), wherever it sits: https://hl7.org/fhir/R4/conformance-rules.html#constraints
    this.checkConstraints(value, typeConstraints(value.type, schema, element));
    this.walkInFrame(value, schema, schema, value.type === 'Extension' ? (value.value as { url?: string }).url : undefined);
    if (isResource) {
      this.resources.pop();
      this.rootResources.pop();
    }
  }

  private walkInFrame(value: TypedValueWithPath, schema: InternalTypeSchema, owner: InternalTypeSchema, url?: string): void {
    this.frames.push({ type: value.type, path: value.path, resource: schema.kind === 'resource', url });
    this.walkObject(value, schema, owner);
    this.frames.pop();
  }

  /** Records an extension with the names its place has in extension contexts (extension-contexts.ts). */
  private noteExtension(value: TypedValueWithPath, url: string | undefined, walked: boolean): void {
    // A relative url names a part of a complex extension, defined by that extension's own definition.
    if (url === undefined || !url.includes(':')) {
      return;
    }
    const valueKeys = Object.keys(value.value as object).filter((k) => choiceSuffix(k, 'value') !== undefined);
    this.extensions.push({ url, path: value.path, contexts: extensionContexts(value.path, this.frames), valueKeys, walked });
  }

  /** `_birthDate` and friends: the id and extensions of a primitive value (or of each in a list). */
  private walkPrimitiveElement(raw: unknown, path: string): void {
    const elements = Array.isArray(raw) ? raw : [raw];
    const element = tryGetDataType('Element');
    elements.forEach((value, i) => {
      if (value && typeof value === 'object' && element) {
        const at = Array.isArray(raw) ? `${path}[${i}]` : path;
        this.walkObject({ type: 'Element', value, path: at }, element, element);
      }
    });
  }

  /** valuePeriod where the profile allows only value[x] as Quantity. */
  private checkRestrictedChoice(key: string, path: string, table: SchemaTable): void {
    for (const { base, element } of table.choices) {
      if (choiceSuffix(key, base)) {
        this.reportRestrictedChoice(key, base, element, path);
        return;
      }
    }
  }

  private reportRestrictedChoice(key: string, base: string, element: InternalSchemaElement, path: string): void {
    this.report('structure', `${path}: type ${choiceSuffix(key, base)} is not allowed by the profile for ${base}[x]; use ${element.type.map((t) => t.code).join(' or ')}`, path);
  }

  /** One element's value(s) at one place in the resource. */
  private checkProperty(value: TypedValueWithPath | TypedValueWithPath[], element: InternalSchemaElement, path: string): void {
    if (!Array.isArray(value) && value.value === undefined) {
      if (element.min > 0) {
        this.report('required', `${path}: required (at least ${element.min}), but missing`, path);
      }
      return;
    }
    const values = arrayify(value) as TypedValueWithPath[];
    // ele-1 (a value or children other than an id), read from the JSON: its FHIRPath is skipped, see skippedConstraints.
    if (values.length === 0 || values.some((v) => isEmpty(v.value) || onlyId(v.value))) {
      this.report('structure', `${path}: an element must have a value or children (ele-1); empty objects and arrays are not allowed`, path);
      return;
    }
    if (values.length < element.min || values.length > element.max) {
      const max = Number.isFinite(element.max) ? element.max : '*';
      this.report(values.length < element.min ? 'required' : 'structure', `${path}: ${element.min}..${max} values allowed, found ${values.length}`, path);
    }
    if (!matchesSpecifiedValue(value, element)) {
      this.report('value', `${path}: does not match the ${element.fixed ? 'fixed' : 'pattern'} value the profile requires (${describeSpecified(element)})`, path);
    }
    for (const v of values) {
      this.checkValue(v, element);
    }
    if (element.slicing) {
      this.checkSlices(values, element.slicing, path);
    }
  }

  /** The rules an element (or a slice) puts on each one of its values. */
  private checkValue(value: TypedValueWithPath, element: InternalSchemaElement): void {
    this.checkConstraints(value, element.constraints);
    if (value.type === 'Reference') {
      this.checkReferenceTarget(value, element);
    }
    const binding = element.binding;
    if (binding?.valueSet && (binding.strength === 'required' || binding.strength === 'extensible') && terminologyTypes.has(value.type)) {
      this.bindings.push({ path: value.path, valueSet: binding.valueSet, strength: binding.strength, value });
    }
  }

  private checkSlices(values: TypedValueWithPath[], slicing: SlicingRules, path: string): void {
    const counts = new Map<SliceDefinition, number>(slicing.slices.map((s) => [s, 0]));
    for (const value of values) {
      const slice = slicing.slices.find((s) => slicing.discriminator.every((d) => arrayify(getNestedProperty(value, d.path))?.some((v) => matchDiscriminant(v, d, s))));
      if (!slice) {
        if (slicing.rule === 'closed') {
          this.report('structure', `${value.path}: matches none of the slices ${slicing.slices.map((s) => s.name).join(', ')}, and the slicing is closed`, value.path);
        }
        continue;
      }
      counts.set(slice, (counts.get(slice) ?? 0) + 1);
      this.checkSliceContent(value, slice);
    }
    for (const [slice, count] of counts) {
      if (count < slice.min || count > slice.max) {
        const max = Number.isFinite(slice.max) ? slice.max : '*';
        this.report(count < slice.min ? 'required' : 'structure', `${path}: slice '${slice.name}' needs ${slice.min}..${max} values, found ${count}`, path);
      }
    }
  }

  /** What a slice says about the inside of the values it matched (component:systolic.value[x] is a Quantity in mm[Hg]). */
  private checkSliceContent(value: TypedValueWithPath, slice: SliceDefinition): void {
    if (!matchesSpecifiedValue(value, slice)) {
      this.report('value', `${value.path}: does not match slice '${slice.name}' (${describeSpecified(slice)})`, value.path);
    }
    this.checkValue(value, slice);
    if (value.type === 'Extension' && this.profile.extensions.has((value.value as { url?: string }).url as string)) {
      return; // the content of an extension with a definition of its own is walked along that definition
    }
    for (const [key, element] of Object.entries(slice.elements)) {
      if (key === 'id' || key === 'extension' || key === 'modifierExtension') {
        continue;
      }
      if (key.endsWith('[x]') && !key.includes('.')) {
        this.checkRestrictedChoiceIn(value, key.slice(0, -3), element);
      }
      for (const inner of getNestedProperty(value, key, { withPath: true })) {
        this.checkProperty(inner, element, `${value.path}.${key}`);
      }
    }
  }

  private checkRestrictedChoiceIn(value: TypedValueWithPath, base: string, element: InternalSchemaElement): void {
    const allowed = new Set(element.type.map((t) => base + capitalize(t.code)));
    for (const key in value.value as Record<string, unknown>) {
      if (!allowed.has(key) && choiceSuffix(key, base)) {
        this.reportRestrictedChoice(key, base, element, `${value.path}.${key}`);
      }
    }
  }

  private checkReferenceTarget(value: TypedValueWithPath, element: InternalSchemaElement): void {
    const targets = element.type.find((t) => t.code === 'Reference')?.targetProfile;
    if (!targets?.length) {
      return;
    }
    const allowed: string[] = [];
    for (const target of targets) {
      const type = this.profile.targetTypes.get(target) ?? baseTypeOf(target);
      if (type === undefined || type === 'Resource') {
        return; // a target we cannot resolve, or any resource: nothing to check
      }
      allowed.push(type);
    }
    const referenced = referencedType(value.value as Reference, this.resource);
    if (referenced !== undefined && !allowed.includes(referenced)) {
      this.report('structure', `${value.path}: refers to a ${referenced}, but only ${[...new Set(allowed)].join(' or ')} may be referenced here`, value.path);
    }
  }

  private checkConstraints(value: TypedValueWithPath, constraints: Constraint[] | undefined): void {
    for (const constraint of constraints ?? []) {
      if (constraint.severity !== 'error' || skippedConstraints.has(constraint.key)) {
        continue;
      }
      const native = typeof value.value === 'object' && value.value !== null ? nativeCheck(constraint) : null;
      let holds = native?.(value.value as Record<string, unknown>, this.rootResource().value as Record<string, unknown>);
      if (holds !== undefined) {
        if (!holds) {
          this.report('invariant', `${value.path}: invariant ${constraint.key} not met: ${constraint.description}`, value.path);
        }
        continue;
      }
      if (constraint.expression === htmlChecks) {
        this.checkNarrative(value, constraint);
        continue;
      }
      try {
        const result = evalFhirPathTyped(parsed(constraint.expression), [value], this.variables(value));
        // An empty result is no violation: FHIRPath answers empty when a value is absent (ref-1 on a
        // Reference with only a display) or two values are not comparable (per-1 on 2024 vs 2024-03-01).
        holds = result.length === 0 || (result.length === 1 && result[0].value === true);
      } catch (err) {
        // An invariant the FHIRPath engine cannot evaluate says nothing about the resource: warn, do not refuse.
        this.report('processing', `${value.path}: invariant ${constraint.key} could not be evaluated (${(err as Error).message})`, value.path, 'warning');
        continue;
      }
      if (!holds) {
        this.report('invariant', `${value.path}: invariant ${constraint.key} not met: ${constraint.description}`, value.path);
      }
    }
  }

  /** txt-1 and txt-2 are written as htmlChecks(), a function FHIRPath leaves to each validator: narrative-xhtml.ts. */
  private checkNarrative(value: TypedValueWithPath, constraint: Constraint): void {
    if (typeof value.value !== 'string') {
      return;
    }
    const problems = narrativeProblems(value.value);
    const found = constraint.key === 'txt-2' ? (problems.empty ? [problems.empty] : []) : problems.structure;
    for (const problem of found) {
      this.report('invariant', `${value.path}: invariant ${constraint.key} not met: ${problem}`, value.path);
    }
  }

  private rootResource(): TypedValue {
    return this.rootResources[this.rootResources.length - 1];
  }

  private variables(value: TypedValue): Record<string, TypedValue> {
    return {
      '%context': value,
      '%ucum': ucum,
      '%resource': this.resources[this.resources.length - 1],
      '%rootResource': this.rootResource(),
    };
  }

  private report(code: OperationOutcomeIssue['code'], text: string, path: string, severity: 'error' | 'warning' = 'error'): void {
    this.issues.push({ severity, code, details: { text }, expression: [path] });
  }
}

function parsed(expression: string): FhirPathAtom {
  let atom = parsedExpressions.get(expression);
  if (!atom) {
    atom = parseFhirPath(expression);
    parsedExpressions.set(expression, atom);
  }
  return atom;
}
