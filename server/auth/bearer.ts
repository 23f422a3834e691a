// The caller of a FHIR request, from its bearer token (RFC 6750): 401 with WWW-Authenticate when the
// token is missing or not valid. With security off (FHIR_AUTH=off) every caller is anonymous.
import type { Logger } from 'pino';
import type { Caller } from '../fhir/pipeline/caller';
import { unauthorized } from '../outcomes';
import { InvalidTokenError, type AccessTokens } from './access-tokens';
import { callerFromClaims } from './policy/caller-from-token';

/** `reading`: the store's commit reading taken as the request arrived (AccessTokens.verify), if any. */
export async function callerFromAuthorization(
  tokens: AccessTokens,
  authorization: string | undefined,
  sourceAddress: string | undefined,
  logger: Logger,
  reading?: number
): Promise<Caller> {
  if (!authorization) {
    throw unauthorized('This server needs an access token: Authorization: Bearer <token> (see /.well-known/smart-configuration)');
  }
  const match = /^Bearer\s+([A-Za-z0-9\-._~+/]+=*)$/i.exec(authorization);
  if (!match) {
    throw unauthorized('The Authorization header must be "Bearer <token>"', 'invalid_request');
  }
  try {
    const caller = callerFromClaims(await tokens.verify(match[1], reading), sourceAddress);
    if (caller.breakGlass) {
      // Every request made under break-the-glass is on the record, with who and why.
      logger.warn({ account: caller.account, user: caller.user, patient: caller.breakGlass.patient, reason: caller.breakGlass.reason }, 'break-the-glass access');
    }
    return caller;
  } catch (err) {
    if (err instanceof InvalidTokenError) {
      throw unauthorized(err.message, 'invalid_token');
    }
    throw err;
  }
}
