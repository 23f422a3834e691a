// Who is writing, as the home-care rules ask it: people and apps (user and backend-client callers) are
// judged by role and identity; the server's own work (the seed) and the anonymous caller of a server run
// with FHIR_AUTH=off are not people with roles, and only the rules on the data itself apply to them.
import type { PractitionerRole } from '@medplum/fhirtypes';
import type { Caller } from '../../fhir/pipeline/caller';

export function isJudgedCaller(caller: Caller): boolean {
  return caller.kind === 'user' || caller.kind === 'client';
}

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
