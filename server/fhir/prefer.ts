// The Prefer header: what a write returns (return=) and how search treats unknown parameters (handling=).
// https://hl7.org/fhir/R4/http.html#ops and search.html#errors
import type { Resource } from '@medplum/fhirtypes';
import { outcome, issue } from '../outcomes';
import type { FhirRequest, FhirResponse } from './request';

export type ReturnPreference = 'minimal' | 'representation' | 'OperationOutcome';

function preferences(request: FhirRequest): Map<string, string> {
  const result = new Map<string, string>();
  for (const part of (request.headers['prefer'] ?? '').split(/[,;]/)) {
    const [name, value] = part.split('=').map((s) => s.trim());
    if (name) {
      result.set(name.toLowerCase(), (value ?? '').replace(/^"|"$/g, ''));
    }
  }
  return result;
}

export function returnPreference(request: FhirRequest): ReturnPreference {
  const value = preferences(request).get('return');
  return value === 'minimal' || value === 'OperationOutcome' ? value : 'representation';
}

/** Unknown search parameters are errors only when the client asks for strict handling. */
export function isStrictHandling(request: FhirRequest): boolean {
  return preferences(request).get('handling') === 'strict';
}

/** The body of a successful write, as the client's Prefer: return= asks. */
export function writeResponse(
  request: FhirRequest,
  status: number,
  resource: Resource,
  headers: Record<string, string>,
  message: string
): FhirResponse {
  switch (returnPreference(request)) {
    case 'minimal':
      return { status, headers };
    case 'OperationOutcome':
      return { status, headers, body: outcome(issue('informational', message, undefined, 'information')) };
    case 'representation':
      return { status, headers, body: resource };
  }
}
