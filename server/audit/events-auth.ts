// The AuditEvents of the authorization server: a sign-in at the login form, a token asked of the token
// endpoint, a FHIR request refused for its bearer token. DICOM's "User Authentication" event type with
// the Login subtype (https://hl7.org/fhir/R4/valueset-audit-event-type.html), as BALP's security-token
// patterns suggest; the grant type or the login form is the entity. No password or token is recorded.
import type { AuditEvent, AuditEventAgent } from '@medplum/fhirtypes';
import type { AuthEvent } from '../auth/auth-events';
import type { Caller } from '../fhir/pipeline/caller';
import { auditEventId, callerAgents, outcomeDescription, serverIdentity } from './events-shared';

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';
export const authenticationType = { system: dicom, code: '110114', display: 'User Authentication' };
const login = { system: dicom, code: '110122', display: 'Login' };

const descriptions: Record<AuthEvent['kind'], string> = {
  login: 'login form',
  token: 'token endpoint',
  bearer: 'bearer token of a FHIR request',
};

export function authEvent(event: AuthEvent, baseUrl: string, recorded = new Date()): AuditEvent {
  const caller: Caller = {
    kind: event.user || event.account ? 'user' : 'client',
    ...(event.user ? { user: event.user } : {}),
    ...(event.account ? { account: event.account } : {}),
    ...(event.clientId ? { clientId: event.clientId } : {}),
    ...(event.sourceAddress ? { sourceAddress: event.sourceAddress } : {}),
    organizations: [],
    roles: [],
    scopes: [],
  };
  const agents: AuditEventAgent[] = callerAgents(caller, baseUrl);
  return {
    resourceType: 'AuditEvent',
    id: auditEventId(),
    type: authenticationType,
    subtype: [login],
    action: 'E',
    recorded: recorded.toISOString(),
    outcome: event.success ? '0' : '4',
    ...(event.success ? {} : { outcomeDesc: outcomeDescription(event.kind === 'login' || event.kind === 'bearer' ? 401 : 400, event.reason) }),
    agent: agents,
    source: serverIdentity(baseUrl),
    entity: [
      {
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        description: descriptions[event.kind],
        ...(event.grantType ? { detail: [{ type: 'grant_type', valueString: event.grantType }] } : {}),
      },
    ],
  };
}
