// Which resource type a Reference points at, as far as the reference itself says: its literal
// reference (relative, absolute, versioned, or a search URL), a contained resource's type for '#id',
// or else its `type` element (https://hl7.org/fhir/R4/references.html). The profile walker compares it
// with the element's target profiles.
import type { Reference, Resource } from '@medplum/fhirtypes';

/** The type `reference` names, inside `resource` (whose contained resources '#id' names); undefined if it does not say. */
export function referencedType(reference: Reference, resource: Resource): string | undefined {
  const literal = reference.reference;
  if (literal === undefined) {
    return reference.type;
  }
  if (literal.startsWith('#')) {
    const contained = (resource as { contained?: Resource[] }).contained?.find((r) => r.id === literal.slice(1));
    return contained?.resourceType;
  }
  if (literal.startsWith('urn:')) {
    return reference.type;
  }
  const match = /(?:^|\/)([A-Z][A-Za-z]+)(?:\/[A-Za-z0-9\-.]{1,64}(?:\/_history\/[^/]+)?$|\?)/.exec(literal);
  return match?.[1] ?? reference.type;
}
