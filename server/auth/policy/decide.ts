// Whether a caller may run an interaction at all, from its scopes and roles: a pure function of the
// Caller. Which resources it then sees is the ResultRestriction's job (restriction.ts); whether a
// particular resource read or written is inside the grant is checked against that restriction.
// https://hl7.org/fhir/smart-app-launch/scopes-and-launch-context.html
import type { Caller } from '../../fhir/pipeline/caller';
import type { InteractionInfo } from '../../fhir/pipeline/interaction';
import { parseResourceScope, type Permission, type ResourceScope, type ScopeLevel } from '../scopes';
import { mayReadAuditEvents } from './audit-visibility';
import { conformanceTypes, directoryTypes, isPatientDataType, isRoleName, rolePolicies, type RolePolicy } from './roles';

/** What the policy needs to know of an interaction (a subset of the pipeline's InteractionInfo). */
export type PolicyInteraction = Pick<InteractionInfo, 'code' | 'resourceType' | 'operation'>;

export type Decision = { allowed: true } | { allowed: false; reason: string };

const allow: Decision = { allowed: true };
const deny = (reason: string): Decision => ({ allowed: false, reason });

/** The terminology operations: reference data every signed-in caller may use. */
const terminologyOperations = new Set(['expand', 'lookup', 'validate-code', 'subsumes', 'translate']);

/** The scope permission an interaction needs; undefined when it needs none of its own (capabilities, a Bundle). */
export function requiredPermission(interaction: PolicyInteraction): Permission | undefined {
  switch (interaction.code) {
    case 'read':
    case 'vread':
    case 'history-instance':
      return 'r';
    case 'search-type':
    case 'search-system':
    case 'search-compartment':
    case 'history-type':
    case 'history-system':
      return 's';
    case 'create':
      return 'c';
    case 'update':
    case 'patch':
      return 'u';
    case 'delete':
      return 'd';
    case 'operation':
      return 'r';
    case 'batch':
    case 'transaction':
    case 'capabilities':
      return undefined;
  }
}

/** Whether the caller may run the interaction (each Bundle entry is decided on its own). */
export function decide(caller: Caller, interaction: PolicyInteraction): Decision {
  if (caller.kind === 'server' || interaction.code === 'capabilities') {
    return allow;
  }
  if (caller.kind === 'anonymous') {
    return deny('No credentials');
  }
  const permission = requiredPermission(interaction);
  if (permission === undefined) {
    return allow;
  }
  if (interaction.code === 'operation' && terminologyOperations.has(interaction.operation ?? '')) {
    return allow;
  }
  const resourceType = interaction.resourceType ?? '*';
  const scopes = grantingScopes(caller, resourceType, permission);
  if (scopes.length === 0) {
    return deny(`No granted scope allows '${permission}' on ${resourceType}`);
  }
  if (scopes.every((s) => s.level === 'patient') && !caller.patient) {
    return deny('Patient-level scopes need a patient in the launch context');
  }
  if (scopes.every((s) => s.level === 'system') && caller.kind !== 'client') {
    return deny('System-level scopes are for backend services');
  }
  return decideByRole(caller, resourceType, permission);
}

/** The caller's resource scopes that grant `permission` on `resourceType` ('*': a system-wide search). */
export function grantingScopes(caller: Caller, resourceType: string, permission: Permission): ResourceScope[] {
  return caller.scopes
    .map(parseResourceScope)
    .filter((s): s is ResourceScope => s !== undefined)
    .filter((s) => (s.resourceType === '*' || s.resourceType === resourceType) && s.permissions.has(permission));
}

/** The roles' policies of a caller; a backend client without roles acts as an HIS vendor for its organizations. */
export function policiesOf(caller: Caller): RolePolicy[] {
  const named = caller.roles.filter(isRoleName).map((r) => rolePolicies[r]);
  if (named.length === 0 && caller.kind === 'client') {
    return [rolePolicies['his-vendor']];
  }
  if (named.length === 0 && caller.user?.startsWith('Patient/')) {
    return [rolePolicies.patient];
  }
  return named;
}

function decideByRole(caller: Caller, resourceType: string, permission: Permission): Decision {
  const policies = policiesOf(caller);
  if (policies.length === 0) {
    return deny('The caller has no role in the network');
  }
  const write = permission === 'c' || permission === 'u' || permission === 'd';
  if (!write) {
    if (resourceType === 'AuditEvent' && !mayReadAuditEvents(caller)) return deny('Only auditors, administrators and the patient concerned read AuditEvents');
    const reads = resourceType === '*' || !isPatientDataType(resourceType) || policies.some((p) => p.reads === 'all' || p.reads.has(resourceType));
    return reads ? allow : deny(`The caller's role does not read ${resourceType}`);
  }
  const writes = policies.some((p) => writesType(p, resourceType, caller.kind === 'client'));
  return writes ? allow : deny(`The caller's role does not write ${resourceType}`);
}

function writesType(policy: RolePolicy, resourceType: string, isClient: boolean): boolean {
  if (policy.writes === 'all') {
    return true;
  }
  if (conformanceTypes.has(resourceType)) {
    return false;
  }
  if (policy.writes === 'patient-data') {
    return isPatientDataType(resourceType) || (isClient && directoryTypes.has(resourceType));
  }
  return policy.writes.has(resourceType);
}

/** The widest level among scopes (system over user over patient): the level whose population applies. */
export function widestLevel(scopes: readonly ResourceScope[]): ScopeLevel | undefined {
  const levels = new Set(scopes.map((s) => s.level));
  return levels.has('system') ? 'system' : levels.has('user') ? 'user' : levels.has('patient') ? 'patient' : undefined;
}
