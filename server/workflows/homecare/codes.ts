// The codes of the home-care workflow (terminology/codesystems/home-care-workflow.json) and how a Task of
// the workflow is recognised: by Task.code. Every home-care rule applies to these Tasks only, so the
// cloud pharmacy's review Tasks (other codes) never meet them.
import type { CodeableConcept, Coding, Task } from '@medplum/fhirtypes';

export const homeCareWorkflowSystem = 'https://fhir.dhc.example/CodeSystem/home-care-workflow';
export const homeCareServiceSystem = 'https://fhir.dhc.example/CodeSystem/home-care-service';
export const homeCareTaskProfile = 'https://fhir.dhc.example/StructureDefinition/dhc-home-care-task';
export const authorizedServiceUrl = 'https://fhir.dhc.example/StructureDefinition/authorized-home-care-service';
export const homeAddressUrl = 'https://fhir.dhc.example/StructureDefinition/home-address';

export type HomeCareTaskKind = 'eligibility-assessment' | 'home-visit';

/** The statuses in which a home visit still waits for, or is with, its nurse. */
export const openVisitStatuses: readonly Task['status'][] = ['requested', 'received', 'accepted', 'ready', 'in-progress', 'on-hold'];

export function workflowCoding(code: string, display?: string): Coding {
  return display ? { system: homeCareWorkflowSystem, code, display } : { system: homeCareWorkflowSystem, code };
}

export function hasWorkflowCode(concept: CodeableConcept | undefined, code: string): boolean {
  return concept?.coding?.some((c) => c.system === homeCareWorkflowSystem && c.code === code) ?? false;
}

/** The workflow kind of a Task, by its code (Task.code from the home-care workflow CodeSystem); undefined for any other Task. */
export function homeCareTaskKind(task: Task): HomeCareTaskKind | undefined {
  if (hasWorkflowCode(task.code, 'eligibility-assessment')) {
    return 'eligibility-assessment';
  }
  return hasWorkflowCode(task.code, 'home-visit') ? 'home-visit' : undefined;
}

/** The home-care service code of a request (or undefined). */
export function serviceCode(concept: CodeableConcept | undefined): string | undefined {
  return concept?.coding?.find((c) => c.system === homeCareServiceSystem)?.code;
}

/** The first input or output of a Task with a workflow type code. */
export function typedParameter<T extends { type: CodeableConcept }>(parameters: T[] | undefined, code: string): T | undefined {
  return parameters?.find((p) => hasWorkflowCode(p.type, code));
}
