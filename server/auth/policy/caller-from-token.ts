// The Caller a validated access token stands for (server/fhir/pipeline/caller.ts).
import type { Caller } from '../../fhir/pipeline/caller';
import type { AccessTokenClaims } from '../access-tokens';

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
