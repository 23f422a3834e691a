// SMART's discovery document, GET /.well-known/smart-configuration: every required and recommended field.
// https://hl7.org/fhir/smart-app-launch/conformance.html#metadata
import { authUrls } from './auth-context';

export const smartCapabilities = [
  'launch-ehr',
  'launch-standalone',
  'client-public',
  'client-confidential-symmetric',
  'client-confidential-asymmetric',
  'context-ehr-patient',
  'context-ehr-encounter',
  'context-standalone-patient',
  'permission-patient',
  'permission-user',
  'permission-offline',
  'permission-online',
  'permission-v1',
  'permission-v2',
  'sso-openid-connect',
  'authorize-post',
  'context-banner',
];

export function smartConfiguration(baseUrl: string): Record<string, unknown> {
  const urls = authUrls(baseUrl);
  return {
    issuer: baseUrl,
    jwks_uri: urls.jwks,
    authorization_endpoint: urls.authorize,
    token_endpoint: urls.token,
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'private_key_jwt'],
    token_endpoint_auth_signing_alg_values_supported: ['RS384', 'ES384'],
    grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials'],
    scopes_supported: [
      'openid', 'fhirUser', 'launch', 'launch/patient', 'launch/encounter', 'offline_access', 'online_access',
      'patient/*.cruds', 'patient/*.rs', 'user/*.cruds', 'user/*.rs', 'system/*.cruds', 'system/*.rs',
      'patient/*.read', 'patient/*.write', 'user/*.read', 'user/*.write', 'system/*.read', 'system/*.write',
    ],
    response_types_supported: ['code'],
    introspection_endpoint: urls.introspect,
    revocation_endpoint: urls.revoke,
    code_challenge_methods_supported: ['S256'],
    capabilities: smartCapabilities,
  };
}
