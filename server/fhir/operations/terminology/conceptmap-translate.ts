// $translate: GET or POST [base]/ConceptMap/$translate and ConceptMap/[id]/$translate
// (https://hl7.org/fhir/R4/conceptmap-operation-translate.html). A code's counterparts, with their equivalence.
import type { ParametersParameter } from '@medplum/fhirtypes';
import type { TranslateResult } from '../../../terminology/terminology-service';
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput, parametersResource } from './operation-parameters';
import { codedInput, conceptMapInput } from './terminology-inputs';

export const conceptMapTranslateOperation: RouteOperation = {
  resourceTypes: ['ConceptMap'],
  name: 'translate',
  definition: 'http://hl7.org/fhir/OperationDefinition/ConceptMap-translate',
};

/** dependency is accepted and not used: no map of the network depends on other elements. */
const knownParameters = [
  'url',
  'conceptMap',
  'conceptMapVersion',
  'code',
  'system',
  'version',
  'source',
  'coding',
  'codeableConcept',
  'target',
  'targetsystem',
  'dependency',
  'reverse',
];

export const conceptMapTranslate: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$translate', knownParameters);
  const conceptMap = await conceptMapInput(input, params, context);
  const coded = codedInput(input, '$translate', { versionParameter: 'version', allowCodeableConcept: true });
  const result = await context.terminology.translate({
    conceptMap,
    codings: coded.codeableConcept ? (coded.codeableConcept.coding ?? []) : coded.coding ? [coded.coding] : [],
    source: input.string('source'),
    target: input.string('target'),
    targetSystem: input.string('targetsystem'),
    reverse: input.boolean('reverse'),
  });
  return { status: 200, body: parametersResource(translateParameters(result)) };
};

function translateParameters(result: TranslateResult): ParametersParameter[] {
  const parameters: ParametersParameter[] = [{ name: 'result', valueBoolean: result.result }];
  if (result.message !== undefined) {
    parameters.push({ name: 'message', valueString: result.message });
  }
  for (const match of result.matches) {
    parameters.push({
      name: 'match',
      part: [
        { name: 'equivalence', valueCode: match.equivalence },
        ...(match.concept ? [{ name: 'concept', valueCoding: match.concept }] : []),
        ...(match.source ? [{ name: 'source', valueUri: match.source }] : []),
      ],
    });
  }
  return parameters;
}
