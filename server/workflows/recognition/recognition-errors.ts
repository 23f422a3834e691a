// The refusals of $recognize that the shared outcomes (server/outcomes.ts) have no helper for.
import { FhirError, issue } from '../../outcomes';

/** A parameter names a resource that is not there: 400, with the parameter in `expression`. */
export const parameterNotFound = (text: string, parameter: string): FhirError => new FhirError(400, [issue('not-found', text, parameter)]);

/** The request would judge too many results at once. */
export const tooCostly = (text: string): FhirError => new FhirError(400, [issue('too-costly', text, 'code')]);
