// $validate-code on CodeSystems: GET or POST [base]/CodeSystem/$validate-code and CodeSystem/[id]/$validate-code
// (https://hl7.org/fhir/R4/codesystem-operation-validate-code.html). Is the code defined, with a right display?
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput } from './operation-parameters';
import { codedInput, codeSystemInput } from './terminology-inputs';
import { validationParameters } from './validation-result';

export const codeSystemValidateCodeOperation: RouteOperation = {
  resourceTypes: ['CodeSystem'],
  name: 'validate-code',
  definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-validate-code',
};

const knownParameters = ['url', 'codeSystem', 'code', 'version', 'display', 'coding', 'codeableConcept', 'displayLanguage', 'abstract'];

export const codeSystemValidateCode: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$validate-code', knownParameters);
  const codeSystem = await codeSystemInput(input, '$validate-code', params, context, {
    urlParameter: 'url',
    resourceParameter: 'codeSystem',
  });
  // A bare code belongs to the code system validated against.
  const impliedSystem = 'url' in codeSystem ? codeSystem.url : codeSystem.resource.url;
  const coded = codedInput(input, '$validate-code', { versionParameter: 'version', impliedSystem, allowCodeableConcept: true });
  const result = await context.terminology.validateCodeInCodeSystem({
    codeSystem,
    ...coded,
    displayLanguage: input.string('displayLanguage'),
    abstract: input.boolean('abstract'),
  });
  return { status: 200, body: validationParameters(result) };
};
