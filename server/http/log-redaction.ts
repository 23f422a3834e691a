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

export function redactHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, secretHeaders.has(name.toLowerCase()) ? '[REDACTED]' : value]));
}

/** A response's headers, with the query of a redirect's Location (an authorization code, state) left out. */
export function redactResponseHeaders(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => [
      name,
      name.toLowerCase() === 'location' && typeof value === 'string' && value.includes('?') ? `${value.slice(0, value.indexOf('?'))}?[REDACTED]` : name.toLowerCase() === 'set-cookie' ? '[REDACTED]' : value,
    ])
  );
}
