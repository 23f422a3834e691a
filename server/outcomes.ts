// Typed OperationOutcome errors: thrown in any layer, mapped to an HTTP status here, rendered in one place
// (server/http/render-outcome.ts). See https://hl7.org/fhir/R4/operationoutcome.html and http.html#Status-Codes.
import { OperationOutcomeError as MedplumOutcomeError } from '@medplum/core';
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueCode = OperationOutcomeIssue['code'];

/** An error that carries the OperationOutcome to send and the HTTP status to send it with. */
export class FhirError extends Error {
  readonly status: number;
  readonly outcome: OperationOutcome;
  readonly headers: Record<string, string>;

  constructor(status: number, issues: OperationOutcomeIssue[], headers: Record<string, string> = {}) {
    super(issues.map((i) => i.details?.text ?? i.diagnostics ?? i.code).join('; '));
    this.name = 'FhirError';
    this.status = status;
    this.outcome = { resourceType: 'OperationOutcome', issue: issues };
    this.headers = headers;
  }
}

export function issue(code: IssueCode, text: string, expression?: string, severity: 'error' | 'warning' | 'information' = 'error'): OperationOutcomeIssue {
  const result: OperationOutcomeIssue = { severity, code, details: { text } };
  if (expression) {
    result.expression = [expression];
  }
  return result;
}

/** An issue that refuses what it is about (https://hl7.org/fhir/R4/valueset-issue-severity.html: error or fatal). */
export function isErrorIssue(issue: OperationOutcomeIssue): boolean {
  return issue.severity === 'error' || issue.severity === 'fatal';
}

/** A client's value as a message shows it: String() throws for an object whose "toString" key is not a function. */
export function shown(value: unknown): string {
  return typeof value === 'string' ? value : (JSON.stringify(value) ?? 'undefined').slice(0, 100);
}

export function outcome(...issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

export const badRequest = (text: string, expression?: string): FhirError =>
  new FhirError(400, [issue('invalid', text, expression)]);
export const invalidResource = (issues: OperationOutcomeIssue[]): FhirError => new FhirError(400, issues);
/** A missing, malformed, expired or revoked bearer token (RFC 6750 section 3). */
export const unauthorized = (text: string, error?: 'invalid_token' | 'invalid_request'): FhirError =>
  new FhirError(401, [issue('login', text)], {
    'WWW-Authenticate': error ? `Bearer realm="fhir", error="${error}", error_description="${text.replace(/["\\]/g, '')}"` : 'Bearer realm="fhir"',
  });
/** A valid token whose grant does not cover the request. */
export const forbidden = (text: string): FhirError => new FhirError(403, [issue('forbidden', text)]);
export const tooManyRequests = (text: string, retryAfterSeconds: number): FhirError =>
  new FhirError(429, [issue('throttled', text)], { 'Retry-After': String(retryAfterSeconds) });
export const notFound = (text: string): FhirError => new FhirError(404, [issue('not-found', text)]);
export const methodNotAllowed = (text: string, allow: string[]): FhirError =>
  new FhirError(405, [issue('not-supported', text)], { Allow: allow.join(', ') });
export const notAcceptable = (text: string): FhirError => new FhirError(406, [issue('not-supported', text)]);
export const conflict = (text: string, expression?: string): FhirError => new FhirError(409, [issue('conflict', text, expression)]);
export const gone = (text: string, headers: Record<string, string> = {}): FhirError =>
  new FhirError(410, [issue('deleted', text)], headers);
export const preconditionFailed = (text: string): FhirError => new FhirError(412, [issue('conflict', text)]);
export const payloadTooLarge = (text: string): FhirError => new FhirError(413, [issue('too-costly', text)]);
export const unsupportedMediaType = (text: string): FhirError => new FhirError(415, [issue('not-supported', text)]);
export const unprocessable = (issues: OperationOutcomeIssue[]): FhirError => new FhirError(422, issues);
/** The server cannot answer now, through no fault of the request: it may be sent again. */
export const serviceUnavailable = (text: string, retryAfterSeconds = 1): FhirError =>
  new FhirError(503, [issue('transient', text)], { 'Retry-After': String(retryAfterSeconds) });

/**
 * Turns anything thrown into a FhirError. @medplum/core throws its own OperationOutcomeError for bad
 * input (search syntax, validation): those are the client's fault, so 400. Anything else is our bug.
 */
export function toFhirError(err: unknown): { error: FhirError; isServerBug: boolean } {
  if (err instanceof FhirError) {
    return { error: err, isServerBug: err.status >= 500 };
  }
  if (err instanceof MedplumOutcomeError) {
    const issues = (err.outcome.issue ?? []).map((i) => ({ ...i, severity: i.severity ?? 'error' }));
    return { error: new FhirError(400, issues.length ? issues : [issue('invalid', err.message)]), isServerBug: false };
  }
  return {
    error: new FhirError(500, [issue('exception', 'Internal server error; the error has been logged with this request id')]),
    isServerBug: true,
  };
}
