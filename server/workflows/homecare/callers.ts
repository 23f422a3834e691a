// Who is writing, as the home-care rules ask it (whether a caller is judged at all: isJudgedCaller in
// server/fhir/pipeline/caller.ts): its roles, and whether it is a given person.
import type { PractitionerRole } from '@medplum/fhirtypes';
import type { Caller } from '../../fhir/pipeline/caller';

/** The caller's network roles; a backend client without roles acts as an HIS vendor (as the policy reads it). */
export function rolesOf(caller: Caller): readonly string[] {
  return caller.roles.length === 0 && caller.kind === 'client' ? ['his-vendor'] : caller.roles;
}

/** The roles that order and dispatch home visits, and cancel them: the clinics, their HIS, the network's administrator. */
const dispatcherRoles = new Set(['clinician', 'his-vendor', 'administrator']);

export function isDispatcher(caller: Caller): boolean {
  return rolesOf(caller).some((r) => dispatcherRoles.has(r));
}

/** Whether the caller is the person of a PractitionerRole: its fhirUser is the role or the role's practitioner. */
export function isPersonOf(caller: Caller, roleReference: string | undefined, role: PractitionerRole | undefined): boolean {
  return caller.kind === 'user' && !!caller.user && (caller.user === roleReference || (!!role?.practitioner?.reference && caller.user === role.practitioner.reference));
}
