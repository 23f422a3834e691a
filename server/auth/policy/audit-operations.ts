// Who may run the tamper-evidence operations ($verify-history, $anchor): auditors and administrators
// (and the server itself). They read every resource's stored history and authors, whatever the caller's
// population, so no other role may, whatever its scopes. With security off there are no roles to ask.
import type { Caller } from '../../fhir/pipeline/caller';
import { forbidden, unauthorized } from '../../outcomes';

const auditRoles = new Set(['auditor', 'administrator']);

/** Refuses (401/403) a caller that may not run an audit operation. */
export function checkAuditOperationAccess(caller: Caller, securityOn: boolean, operation: string): void {
  if (!securityOn || caller.kind === 'server') {
    return;
  }
  if (caller.kind === 'anonymous') {
    throw unauthorized(`$${operation} needs an access token`);
  }
  if (!caller.roles.some((role) => auditRoles.has(role))) {
    throw forbidden(`$${operation} is for auditors and administrators`);
  }
}
