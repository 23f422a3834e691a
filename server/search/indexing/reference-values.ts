// Reference index values: where a Reference, canonical, uri or inline resource points.
// https://hl7.org/fhir/R4/search.html#reference and https://hl7.org/fhir/R4/references.html#canonical
import type { TypedValue } from '@medplum/core';
import type { Reference } from '@medplum/fhirtypes';
import type { ReferenceValue } from './types';

const idPart = '[A-Za-z0-9\\-.]{1,64}';
/** [Type]/[id] with an optional /_history/[version], at the end of the reference. */
const typedIdAtEnd = new RegExp(`(?:^|/)([A-Z][A-Za-z]+)/(${idPart})(?:/_history/(${idPart}))?$`);
const absoluteUrl = /^[A-Za-z][A-Za-z0-9+.-]*:/;

/**
 * Adds where each value points. With `requiredType` (from an expression's `where(resolve() is Type)`), keeps
 * only references known to point at that type: we decide on the parsed reference, because resolve() in
 * @medplum/core reads an absolute URL's scheme as the type.
 */
export function addReferenceValues(
  values: TypedValue[],
  out: ReferenceValue[],
  resourceTypes: ReadonlySet<string>,
  requiredType?: string
): void {
  for (const { type, value } of values) {
    let entry: ReferenceValue | undefined;
    if (typeof value === 'string') {
      entry = type === 'canonical' || value.includes('|') ? canonicalTarget(value) : referenceTarget(value, resourceTypes);
    } else if (typeof value === 'object' && value !== null) {
      if (typeof value.resourceType === 'string') {
        entry = { targetType: value.resourceType };
        if (typeof value.id === 'string') entry.targetId = value.id;
      } else {
        entry = referenceObjectTarget(value as Reference, resourceTypes);
      }
    }
    if (entry && (requiredType === undefined || entry.targetType === requiredType)) {
      out.push(entry);
    }
  }
}

function referenceObjectTarget(reference: Reference, resourceTypes: ReadonlySet<string>): ReferenceValue | undefined {
  let entry: ReferenceValue | undefined;
  if (reference.reference && !reference.reference.startsWith('#')) {
    entry = referenceTarget(reference.reference, resourceTypes);
  }
  const identifier = reference.identifier;
  if (identifier && (identifier.system !== undefined || identifier.value !== undefined)) {
    entry ??= {};
    if (identifier.system !== undefined) entry.identifierSystem = identifier.system;
    if (identifier.value !== undefined) entry.identifierValue = identifier.value;
  }
  if (entry && entry.targetType === undefined && reference.type) {
    entry.targetType = reference.type;
  }
  return entry;
}

/** 'Patient/1', 'Patient/1/_history/2', 'http://host/fhir/Patient/1', 'urn:uuid:...'. */
function referenceTarget(reference: string, resourceTypes: ReadonlySet<string>): ReferenceValue | undefined {
  if (!reference) {
    return undefined;
  }
  const isAbsolute = absoluteUrl.test(reference);
  const entry: ReferenceValue = isAbsolute ? { url: reference } : {};
  const match = typedIdAtEnd.exec(reference);
  if (match && resourceTypes.has(match[1]) && (isAbsolute || match.index === 0)) {
    entry.targetType = match[1];
    entry.targetId = match[2];
    if (match[3] !== undefined) entry.version = match[3];
  } else if (!isAbsolute) {
    // A relative reference that is not [Type]/[id] (e.g. a conditional reference left unresolved).
    entry.url = reference;
  }
  return entry;
}

/** 'http://x/ValueSet/y|1.0' -> url and version; a fragment stays part of the url. */
function canonicalTarget(canonical: string): ReferenceValue | undefined {
  if (!canonical) {
    return undefined;
  }
  const bar = canonical.indexOf('|');
  if (bar < 0) {
    return { url: canonical };
  }
  const entry: ReferenceValue = { url: canonical.slice(0, bar) };
  const version = canonical.slice(bar + 1);
  if (version) entry.version = version;
  return entry;
}
