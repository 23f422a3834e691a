// $validate-code on ValueSets: GET or POST [base]/ValueSet/$validate-code and ValueSet/[id]/$validate-code
// (https://hl7.org/fhir/R4/valueset-operation-validate-code.html). Is the code in the ValueSet, with a right display?
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput } from './operation-parameters';
import { codedInput, valueSetInput } from './terminology-inputs';
import { validationParameters } from './validation-result';

export const valueSetValidateCodeOperation: RouteOperation = {
  resourceTypes: ['ValueSet'],
  name: 'validate-code',
  definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-validate-code',
};

const knownParameters = [
  'url',
  'valueSet',
  'valueSetVersion',
  'code',
  'system',
  'systemVersion',
  'display',
  'coding',
  'codeableConcept',
  'displayLanguage',
  'abstract',
];

export const valueSetValidateCode: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$validate-code', knownParameters);
  const valueSet = await valueSetInput(input, '$validate-code', params, context);
  const coded = codedInput(input, '$validate-code', { versionParameter: 'systemVersion', allowCodeableConcept: true });
  const result = await context.terminology.validateCode({
    valueSet,
    ...coded,
    displayLanguage: input.string('displayLanguage'),
    abstract: input.boolean('abstract'),
  });
  return { status: 200, body: validationParameters(result) };
};
