// Invariants read from the JSON instead of evaluated by @medplum/core's FHIRPath, for speed: the
// data-type rules met on almost every resource (ref-1 on each Reference, cpt-2, qty-3, ext-1) cost
// 20-50 µs each through the FHIRPath engine, and a resource holds dozens of them. Only expressions of a
// few exact shapes are taken (matched on the expression text, so a profile's own rule of the same key is
// never mistaken for them); everything else, and every case a shortcut cannot decide, goes to FHIRPath.
// test/validation/datatype-invariants.test.ts holds each against the specification's instances.
import type { Constraint } from '@medplum/core';

type Json = Record<string, unknown>;

/** true or false when decided from the JSON; undefined to evaluate the FHIRPath. */
export type NativeCheck = (value: Json, rootResource: Json) => boolean | undefined;

const exact: Record<string, NativeCheck> = {
  // ext-1
  'extension.exists() != value.exists()': (v) => present(v, 'extension') !== present(v, 'value'),
  // ref-1: a local reference names a contained resource ('#' alone is the container itself).
  "reference.startsWith('#').not() or (reference.substring(1).trace('url') in %rootResource.contained.id.trace('ids'))": (v, root) => {
    const reference = v.reference;
    if (typeof reference !== 'string' || !reference.startsWith('#') || reference === '#') {
      return true;
    }
    const contained = root.contained;
    return Array.isArray(contained) && contained.some((c) => (c as Json | null)?.id === reference.slice(1));
  },
  // dom-2, dom-4, dom-5 (on every DomainResource, 1-30 µs each through FHIRPath) hold without contained resources.
  'contained.contained.empty()': (v) => (v.contained === undefined ? true : undefined),
  'contained.meta.versionId.empty() and contained.meta.lastUpdated.empty()': (v) => (v.contained === undefined ? true : undefined),
  'contained.meta.security.empty()': (v) => (v.contained === undefined ? true : undefined),
  // per-1 and rng-2 hold when a bound is missing; per-1 compares two dates or two date-times of the same
  // full precision here too, other precisions (and quantities) are FHIRPath's job.
  'start.hasValue().not() or end.hasValue().not() or (start <= end)': (v) =>
    v.start === undefined || v.end === undefined ? true : notAfter(v.start, v.end),
  'low.empty() or high.empty() or (low <= high)': (v) => (!present(v, 'low') || !present(v, 'high') ? true : undefined),
  // obs-7 (on every Observation): no value beside components that repeat the Observation's own code;
  // without components it holds.
  'value.empty() or component.code.where(coding.intersect(%resource.code.coding).exists()).empty()': (v) =>
    v.component === undefined ? true : undefined,
  // vs-2 (the vital-signs profile): a value, a data-absent reason, components or members. Only its
  // holding is read here: a value given as extensions alone (`_valueString`) is FHIRPath's to judge.
  '(component.empty() and hasMember.empty()) implies (dataAbsentReason.exists() or value.exists())': (v) =>
    present(v, 'component') || present(v, 'hasMember') || present(v, 'dataAbsentReason') || present(v, 'value') ? true : undefined,
};

/** YYYY-MM-DD, or a date-time to the second with a zone and no fraction: the precisions compared here. */
const fullDate = /^\d{4}-\d{2}-\d{2}$/;
const fullDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$/;

/**
 * `start <= end` for two dates, or two date-times to the second in the same zone, where the text's order
 * is the order of the instants (https://hl7.org/fhirpath/#comparison); undefined for anything else
 * (@medplum/core's FHIRPath, which decides those, does not order date-times of different zones by instant).
 */
function notAfter(start: unknown, end: unknown): boolean | undefined {
  if (typeof start !== 'string' || typeof end !== 'string') {
    return undefined;
  }
  if (fullDate.test(start) && fullDate.test(end)) {
    return start <= end;
  }
  const zone = fullDateTime.exec(start)?.[1];
  return zone !== undefined && fullDateTime.exec(end)?.[1] === zone ? start <= end : undefined;
}

const name = '([a-z][A-Za-z]*)';
const shapes: [RegExp, (a: string, b: string, c: string) => NativeCheck][] = [
  [new RegExp(`^${name}\\.empty\\(\\)$`), (a) => (v) => !present(v, a)],
  [new RegExp(`^${name}\\.empty\\(\\) or ${name}\\.exists\\(\\)$`), (a, b) => (v) => !present(v, a) || present(v, b)],
  [new RegExp(`^${name}\\.empty\\(\\) or ${name}\\.empty\\(\\)$`), (a, b) => (v) => !present(v, a) || !present(v, b)],
  [new RegExp(`^${name}\\.exists\\(\\) or ${name}\\.exists\\(\\)$`), (a, b) => (v) => present(v, a) || present(v, b)],
  // obs-3 on every reference range; only its holding is read here (an element given as extensions alone
  // is FHIRPath's to judge).
  [
    new RegExp(`^${name}\\.exists\\(\\) or ${name}\\.exists\\(\\) or ${name}\\.exists\\(\\)$`),
    (a, b, c) => (v) => (v[a] !== undefined || v[b] !== undefined || v[c] !== undefined ? true : undefined),
  ],
];

const checks = new Map<string, NativeCheck | null>();

/** The native form of a constraint's expression, or null when it has none. */
export function nativeCheck(constraint: Constraint): NativeCheck | null {
  let check = checks.get(constraint.expression);
  if (check === undefined) {
    check = Object.hasOwn(exact, constraint.expression) ? exact[constraint.expression] : null;
    for (const [shape, make] of check ? [] : shapes) {
      const match = shape.exec(constraint.expression);
      if (match) {
        check = make(match[1], match[2], match[3]);
        break;
      }
    }
    checks.set(constraint.expression, check);
  }
  return check;
}

/** The type suffixes of a choice element's JSON names (valueQuantity): https://hl7.org/fhir/R4/formats.html#choice */
const choiceTypes = new Set(
  (
    'Base64Binary Boolean Canonical Code Date DateTime Decimal Id Instant Integer Markdown Oid PositiveInt String Time UnsignedInt Uri Url Uuid ' +
    'Address Age Annotation Attachment CodeableConcept Coding ContactPoint Count Distance Duration HumanName Identifier Money Period Quantity ' +
    'Range Ratio Reference SampledData Signature Timing ContactDetail Contributor DataRequirement Expression ParameterDefinition ' +
    'RelatedArtifact TriggerDefinition UsageContext Dosage Meta'
  ).split(' ')
);

/**
 * Whether an element is there: its value, the extensions of a primitive (`_code`), or a choice type
 * (`value` as valueQuantity; dataAbsentReason is not a `data`).
 */
function present(json: Json, element: string): boolean {
  if (json[element] !== undefined || json[`_${element}`] !== undefined) {
    return true;
  }
  for (const key in json) {
    if (key.length > element.length && key.startsWith(element) && choiceTypes.has(key.slice(element.length))) {
      return true;
    }
  }
  return false;
}
