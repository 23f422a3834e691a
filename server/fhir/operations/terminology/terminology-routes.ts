// The routes of the terminology operations (https://hl7.org/fhir/R4/terminology-service.html): each by
// GET (query parameters) and POST (a Parameters body), at type level and, where the OperationDefinition
// allows it, on an instance. routes.ts includes them in the one route table.
import type { Interaction } from '../../request';
import type { Route, RouteOperation } from '../../routes';
import { codeSystemLookup, codeSystemLookupOperation } from './codesystem-lookup';
import { codeSystemSubsumes, codeSystemSubsumesOperation } from './codesystem-subsumes';
import { codeSystemValidateCode, codeSystemValidateCodeOperation } from './codesystem-validate-code';
import { conceptMapTranslate, conceptMapTranslateOperation } from './conceptmap-translate';
import { valueSetExpand, valueSetExpandOperation } from './valueset-expand';
import { valueSetValidateCode, valueSetValidateCodeOperation } from './valueset-validate-code';

/** GET and POST [type]/$name, and with `instance` also [type]/[id]/$name. */
function operationRoutes(operation: RouteOperation, handler: Interaction, instance: boolean): Route[] {
  const [type] = operation.resourceTypes as string[];
  const name = `$${operation.name}`;
  const patterns = instance ? [[type, name], [type, ':id', name]] : [[type, name]];
  return patterns.flatMap((pattern) => [
    { method: 'GET' as const, pattern, interaction: 'operation' as const, operation, handler },
    { method: 'POST' as const, pattern, interaction: 'operation' as const, operation, handler },
  ]);
}

export const terminologyRoutes: Route[] = [
  ...operationRoutes(valueSetExpandOperation, valueSetExpand, true),
  ...operationRoutes(valueSetValidateCodeOperation, valueSetValidateCode, true),
  // $lookup is defined at type level only.
  ...operationRoutes(codeSystemLookupOperation, codeSystemLookup, false),
  ...operationRoutes(codeSystemValidateCodeOperation, codeSystemValidateCode, true),
  ...operationRoutes(codeSystemSubsumesOperation, codeSystemSubsumes, true),
  ...operationRoutes(conceptMapTranslateOperation, conceptMapTranslate, true),
];
