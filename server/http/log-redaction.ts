// What the request log may hold of a request: never a credential (Authorization, cookies, the OAuth
// parameters of /auth URLs) and never an identifier's value (a resident ID in `?identifier=` or in a
// chain such as `subject:Patient.identifier=`), which would put a person's ID number in every log file.
const secretHeaders = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-api-key']);
/** Parameters whose values identify a person or carry a credential. */
const sensitiveParameter = /(^|[.:_-])(identifier|token|code_verifier|client_secret|client_assertion|password|secret|phone|email|telecom|birthdate|name|family|given|address)([.:-]|$)/i;

export function redactUrl(url: string): string {
  const question = url.indexOf('?');
  if (question < 0) {
    return url;
  }
  const path = url.slice(0, question);
  const query = new URLSearchParams(url.slice(question + 1));
  // Every parameter of the authorization server's URLs is OAuth state (code_challenge, state, launch...).
  const all = path.startsWith('/auth/');
  const redacted = [...query].map(([name, value]) => `${encodeURIComponent(name)}=${all || sensitiveParameter.test(name) ? '[REDACTED]' : encodeURIComponent(value)}`);
  return `${path}?${redacted.join('&')}`;
}

// Both run for every request's closing line (request-log.ts): plain loops, not entries/fromEntries copies.
export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const name in headers) {
    redacted[name] = secretHeaders.has(name.toLowerCase()) ? '[REDACTED]' : headers[name];
  }
  return redacted;
}

/** A response's headers, with the query of a redirect's Location (an authorization code, state) left out. */
export function redactResponseHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  const redacted: Record<string, unknown> = {};
  for (const name in headers) {
    const value = headers[name];
    const lower = name.toLowerCase();
    redacted[name] =
      lower === 'location' && typeof value === 'string' && value.includes('?') ? `${value.slice(0, value.indexOf('?'))}?[REDACTED]` : lower === 'set-cookie' ? '[REDACTED]' : value;
  }
  return redacted;
}
