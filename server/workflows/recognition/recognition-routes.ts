// The routes of $recognize, by GET (query parameters) and POST (a Parameters body), at type and instance
// level on Observation and DiagnosticReport. routes.ts includes them in the one route table, and the
// CapabilityStatement lists each with its OperationDefinition (profiles/input/fsh/recognition-operations.fsh).
import type { Route, RouteOperation } from '../../fhir/routes';
import { recognizeOn } from './recognize-operation';

const definitionBase = 'https://fhir.dhc.example/OperationDefinition';

export const observationRecognizeOperation: RouteOperation = {
  resourceTypes: ['Observation'],
  name: 'recognize',
  definition: `${definitionBase}/Observation-recognize`,
};

export const diagnosticReportRecognizeOperation: RouteOperation = {
  resourceTypes: ['DiagnosticReport'],
  name: 'recognize',
  definition: `${definitionBase}/DiagnosticReport-recognize`,
};

function recognizeRoutes(operation: RouteOperation): Route[] {
  const [type] = operation.resourceTypes as ('Observation' | 'DiagnosticReport')[];
  const recognize = recognizeOn(type);
  return [[type, '$recognize'], [type, ':id', '$recognize']].flatMap((pattern) => [
    { method: 'GET' as const, pattern, interaction: 'operation' as const, operation, handler: recognize },
    { method: 'POST' as const, pattern, interaction: 'operation' as const, operation, handler: recognize },
  ]);
}

export const recognitionRoutes: Route[] = [...recognizeRoutes(observationRecognizeOperation), ...recognizeRoutes(diagnosticReportRecognizeOperation)];
