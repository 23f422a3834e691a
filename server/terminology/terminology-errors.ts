// The errors the terminology engine raises, as FhirErrors (rendered by the HTTP layer like any other).
// A canonical named in the request that is not known is 404; content the server cannot work with
// (an unknown system inside a ValueSet, a filter it does not implement) is 422.
import { FhirError, issue } from '../outcomes';

/** A CodeSystem, ValueSet, ConceptMap or code named by a request parameter is not known. */
export function notKnown(text: string, parameter?: string): FhirError {
  return new FhirError(404, [issue('not-found', text, parameter)]);
}

/** A ValueSet or ConceptMap refers to something unknown, so it cannot be evaluated. */
export function unresolvable(text: string): FhirError {
  return new FhirError(422, [issue('not-found', text)]);
}

/** The request or its content needs something this server does not implement. */
export function unsupportedContent(text: string): FhirError {
  return new FhirError(422, [issue('not-supported', text)]);
}

/** The answer would be too large to compute or send. */
export function tooCostly(text: string): FhirError {
  return new FhirError(422, [issue('too-costly', text)]);
}
