// $anchor: GET [base]/$anchor (OperationDefinition https://fhir.dhc.example/OperationDefinition/anchor).
// Digests every stored version's hash up to the newest one and the AuditEvent chain's head
// (anchor-digest.ts), signed as a JWS with the server's signing key (anchor-token.ts). Auditors keep it
// away from the server and give it back to $verify-history. Auditors and administrators only.
import type { Parameters } from '@medplum/fhirtypes';
import { checkAuditOperationAccess } from '../auth/policy/audit-operations';
import type { RouteOperation } from '../fhir/routes';
import type { Interaction } from '../fhir/request';
import { FhirError, issue } from '../outcomes';
import { digestHistory } from './anchor-digest';
import { signAnchor } from './anchor-token';

export const anchorOperation: RouteOperation = {
  resourceTypes: [],
  system: true,
  name: 'anchor',
  definition: 'https://fhir.dhc.example/OperationDefinition/anchor',
};

export const exportAnchor: Interaction = async (_request, _params, context) => {
  checkAuditOperationAccess(context.caller, context.settings.smartSecurity ?? false, 'anchor');
  if (!context.signingKeys) {
    throw new FhirError(501, [issue('not-supported', 'This server has no signing key to sign an anchor with')]);
  }
  const content = await digestHistory(context.pipeline.dataStore);
  const body: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'anchor', valueString: signAnchor(content, context.signingKeys, context.baseUrl) },
      { name: 'position', valueString: content.position },
      { name: 'versions', valueInteger: content.versions },
    ],
  };
  return { status: 200, body };
};
