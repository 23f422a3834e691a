// $subsumes: GET or POST [base]/CodeSystem/$subsumes and CodeSystem/[id]/$subsumes
// (https://hl7.org/fhir/R4/codesystem-operation-subsumes.html). Codes A and B, or Codings A and B, of one system.
import type { Coding } from '@medplum/fhirtypes';
import { badRequest } from '../../../outcomes';
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput, parametersResource } from './operation-parameters';
import { codeSystemInput } from './terminology-inputs';

export const codeSystemSubsumesOperation: RouteOperation = {
  resourceTypes: ['CodeSystem'],
  name: 'subsumes',
  definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-subsumes',
};

const knownParameters = ['codeA', 'codeB', 'system', 'version', 'codingA', 'codingB'];

export const codeSystemSubsumes: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$subsumes', knownParameters);
  const a = codeOf(input, 'A');
  const b = codeOf(input, 'B');
  const codingSystem = a.coding?.system ?? b.coding?.system;
  const codeSystem = await codeSystemInput(input, '$subsumes', params, context, {
    urlParameter: 'system',
    coding: codingSystem ? { system: codingSystem, version: a.coding?.version ?? b.coding?.version } : undefined,
  });
  const system = 'url' in codeSystem ? codeSystem.url : codeSystem.resource.url;
  // Subsumption across code systems would need knowledge of how they relate, which this server lacks.
  for (const [side, coded] of [['A', a], ['B', b]] as const) {
    if (coded.coding?.system !== undefined && coded.coding.system !== system) {
      const text = `$subsumes: coding${side} is of ${coded.coding.system}, not of ${system}; both codes must be of one code system`;
      throw badRequest(text, `coding${side}`);
    }
  }
  const outcome = await context.terminology.subsumes({
    codeSystem,
    codeA: a.code,
    codeB: b.code,
    parameterNames: [a.parameter, b.parameter],
  });
  return { status: 200, body: parametersResource([{ name: 'outcome', valueCode: outcome }]) };
};

/** codeA or codingA (exactly one), and the parameter it came from. */
function codeOf(input: OperationInput, side: 'A' | 'B'): { code: string; coding?: Coding; parameter: string } {
  const code = input.string(`code${side}`);
  const coding = input.coding(`coding${side}`);
  if ((code === undefined) === (coding === undefined)) {
    throw badRequest(`$subsumes needs exactly one of code${side} and coding${side}`, `code${side}`);
  }
  if (coding) {
    if (!coding.code) {
      throw badRequest(`$subsumes: coding${side} has no code`, `coding${side}`);
    }
    return { code: coding.code, coding, parameter: `coding${side}` };
  }
  return { code: code as string, parameter: `code${side}` };
}
