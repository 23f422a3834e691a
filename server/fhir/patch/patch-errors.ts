// The two ways a PATCH body fails (https://hl7.org/fhir/R4/http.html#patch): a malformed patch document is 400,
// a well-formed patch that cannot be applied to this resource is 422 (http.html#Status-Codes).
import { badRequest, FhirError, issue, unprocessable } from '../../outcomes';

/**
 * Thrown by the helpers that apply one operation when it cannot be applied to this resource. They do not know
 * which operation they serve, so the engine catches this and adds the operation's index and path.
 */
export class InapplicableOperation extends Error {
  override readonly name = 'InapplicableOperation';
}

/** 400: operation `index` (0-based, as in the document) is not a valid operation. */
export function malformedOperation(index: number, text: string, expression?: string): FhirError {
  return badRequest(`operation ${index}: ${text}`, expression);
}

/** 422: operation `index` is well formed but cannot be applied to this resource. */
export function inapplicableOperation(index: number, text: string, expression?: string): FhirError {
  return unprocessable([issue('processing', `operation ${index}: ${text}`, expression)]);
}
