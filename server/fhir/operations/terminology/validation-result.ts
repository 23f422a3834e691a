// The Parameters a $validate-code answers with: result, and message and display when there are some
// (https://hl7.org/fhir/R4/valueset-operation-validate-code.html#outparameters).
import type { Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { ValidateCodeResult } from '../../../terminology/terminology-service';
import { parametersResource } from './operation-parameters';

export function validationParameters(result: ValidateCodeResult): Parameters {
  const parameter: ParametersParameter[] = [{ name: 'result', valueBoolean: result.result }];
  if (result.message !== undefined) parameter.push({ name: 'message', valueString: result.message });
  if (result.display !== undefined) parameter.push({ name: 'display', valueString: result.display });
  return parametersResource(parameter);
}
