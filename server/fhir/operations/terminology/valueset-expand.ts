// $expand: GET or POST [base]/ValueSet/$expand and ValueSet/[id]/$expand
// (https://hl7.org/fhir/R4/valueset-operation-expand.html). Returns the ValueSet with its expansion.
import type { Interaction } from '../../request';
import type { RouteOperation } from '../../routes';
import { OperationInput } from './operation-parameters';
import { valueSetInput } from './terminology-inputs';

export const valueSetExpandOperation: RouteOperation = {
  resourceTypes: ['ValueSet'],
  name: 'expand',
  definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
};

/** excludeNested is accepted and has no effect: expansions are always flat. */
const knownParameters = [
  'url',
  'valueSet',
  'valueSetVersion',
  'filter',
  'offset',
  'count',
  'activeOnly',
  'excludeNotForUI',
  'excludeNested',
  'displayLanguage',
  'includeDesignations',
  'includeDefinition',
];

export const valueSetExpand: Interaction = async (request, params, context) => {
  const input = OperationInput.read(request, '$expand', knownParameters);
  const valueSet = await valueSetInput(input, '$expand', params, context);
  const expansion = await context.terminology.expand({
    valueSet,
    filter: input.string('filter'),
    offset: input.count('offset'),
    count: input.count('count'),
    activeOnly: input.boolean('activeOnly'),
    excludeNotForUI: input.boolean('excludeNotForUI'),
    displayLanguage: input.string('displayLanguage'),
    includeDesignations: input.boolean('includeDesignations'),
    includeDefinition: input.boolean('includeDefinition'),
  });
  return { status: 200, body: expansion };
};
