// $lookup: GET or POST [base]/CodeSystem/$lookup (https://hl7.org/fhir/R4/codesystem-operation-lookup.html).
// A code's display, designations and properties (parent and child included) as Parameters.
import type { ParametersParameter } from '@medplum/fhirtypes';
import { badRequest } from '../../../outcomes';
import type { LookupResult } from '../../../terminology/terminology-service';
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput, parametersResource } from './operation-parameters';
import { codedInput, codeSystemInput } from './terminology-inputs';

export const codeSystemLookupOperation: RouteOperation = {
  resourceTypes: ['CodeSystem'],
  name: 'lookup',
  definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
};

const knownParameters = ['code', 'system', 'version', 'coding', 'displayLanguage', 'property'];

export const codeSystemLookup: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$lookup', knownParameters);
  const { coding } = codedInput(input, '$lookup', { versionParameter: 'version', allowCodeableConcept: false });
  if (!coding?.code || !coding.system) {
    throw badRequest('$lookup: the coding needs a system and a code', 'coding');
  }
  const codeSystem = await codeSystemInput(input, '$lookup', params, context, { urlParameter: 'system', coding });
  const result = await context.terminology.lookup({
    codeSystem,
    code: coding.code,
    displayLanguage: input.string('displayLanguage'),
    properties: input.strings('property'),
  });
  return { status: 200, body: parametersResource(lookupParameters(result)) };
};

function lookupParameters(result: LookupResult): ParametersParameter[] {
  const parameters: ParametersParameter[] = [{ name: 'name', valueString: result.name }];
  if (result.version !== undefined) parameters.push({ name: 'version', valueString: result.version });
  parameters.push({ name: 'display', valueString: result.display }, { name: 'abstract', valueBoolean: result.abstract });
  for (const d of result.designations) {
    parameters.push({
      name: 'designation',
      part: [
        ...(d.language ? [{ name: 'language', valueCode: d.language }] : []),
        ...(d.use ? [{ name: 'use', valueCoding: d.use }] : []),
        { name: 'value', valueString: d.value },
      ],
    });
  }
  for (const p of result.properties) {
    parameters.push({
      name: 'property',
      part: [
        { name: 'code', valueCode: p.code },
        { name: 'value', ...p.value },
        ...(p.description !== undefined ? [{ name: 'description', valueString: p.description }] : []),
      ],
    });
  }
  return parameters;
}
