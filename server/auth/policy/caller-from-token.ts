// The Caller a validated access token stands for (server/fhir/pipeline/caller.ts).
import type { Caller } from '../../fhir/pipeline/caller';
import type { AccessTokenClaims, Grant } from '../access-tokens';

export function callerFromClaims(claims: AccessTokenClaims, sourceAddress?: string): Caller {
  return {
    kind: claims.kind === 'client' ? 'client' : 'user',
    ...(claims.fhirUser ? { user: claims.fhirUser } : {}),
    ...(claims.kind === 'user' ? { account: claims.sub } : {}),
    clientId: claims.client_id,
    organizations: claims.orgs ?? [],
    roles: claims.roles ?? [],
    scopes: claims.scope.split(' ').filter(Boolean),
    ...(claims.patient ? { patient: `Patient/${claims.patient}` } : {}),
    ...(claims.encounter ? { encounter: `Encounter/${claims.encounter}` } : {}),
    ...(claims.btg ? { breakGlass: claims.btg } : {}),
    ...(sourceAddress ? { sourceAddress } : {}),
  };
}

/** The Caller a grant will stand for, before any token is issued (the patient picker, the launch check). */
export function callerFromGrant(grant: Grant): Caller {
  return {
    kind: grant.kind,
    ...(grant.fhirUser ? { user: grant.fhirUser } : {}),
    ...(grant.account ? { account: grant.account } : {}),
    clientId: grant.clientId,
    organizations: grant.organizations,
    roles: grant.roles,
    scopes: grant.scopes,
    ...(grant.patient ? { patient: `Patient/${grant.patient}` } : {}),
    ...(grant.encounter ? { encounter: `Encounter/${grant.encounter}` } : {}),
  };
}
