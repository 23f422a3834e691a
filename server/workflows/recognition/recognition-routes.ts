// The routes of $recognize, by GET (query parameters) and POST (a Parameters body), at type and instance
// level. The type is a route parameter, as for $validate, so that the pipeline's interaction names it
// (the policy decides on the caller's scopes for that type and checks an instance's visibility); the
// handler answers only on Observation and DiagnosticReport, the types its OperationDefinition names
// (profiles/input/fsh/recognition-operations.fsh), and the CapabilityStatement lists it on those.
import type { Route, RouteOperation } from '../../fhir/routes';
import { recognize } from './recognize-operation';

export const recognizeOperation: RouteOperation = {
  resourceTypes: ['Observation', 'DiagnosticReport'],
  name: 'recognize',
  definition: 'https://fhir.dhc.example/OperationDefinition/recognize',
};

export const recognitionRoutes: Route[] = [[':type', '$recognize'], [':type', ':id', '$recognize']].flatMap((pattern) => [
  { method: 'GET' as const, pattern, interaction: 'operation' as const, operation: recognizeOperation, handler: recognize },
  { method: 'POST' as const, pattern, interaction: 'operation' as const, operation: recognizeOperation, handler: recognize },
]);
