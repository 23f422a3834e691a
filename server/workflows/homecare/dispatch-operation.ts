// $dispatch: POST [base]/ServiceRequest/[id]/$dispatch, the network's operation
// (https://fhir.dhc.example/OperationDefinition/ServiceRequest-dispatch, profiles/input/fsh/home-care.fsh).
// Picks the nearest available nurse who may take an assessed home-care order (candidates.ts), creates
// her home-visit Task through the caller's store (so the write rules and the caller's grant apply), and
// answers the choice with the other candidates ranked. docs/workflows.md, "Home care".
import type { Parameters, ParametersParameter, ServiceRequest } from '@medplum/fhirtypes';
import { decide } from '../../auth/policy/decide';
import type { Interaction } from '../../fhir/request';
import type { RouteOperation } from '../../fhir/routes';
import { FhirError, forbidden, gone, issue, notFound } from '../../outcomes';
import type { NurseCandidate } from './candidates';
import { dispatchRefusal, noCandidate, rankForOrder } from './dispatch';
import { visitTask } from './visit-task';

export const dispatchOperation: RouteOperation = {
  resourceTypes: ['ServiceRequest'],
  name: 'dispatch',
  definition: 'https://fhir.dhc.example/OperationDefinition/ServiceRequest-dispatch',
};

export const dispatch: Interaction = async (request, { resourceType, id }, context) => {
  if (resourceType !== 'ServiceRequest') {
    throw notFound(`$dispatch is defined for ServiceRequest, not for ${resourceType}`);
  }
  // The operation writes a Task: the caller needs the right to create one, beyond reading the order.
  const { caller } = context;
  if (caller.kind === 'user' || caller.kind === 'client') {
    const decision = decide(caller, { code: 'create', resourceType: 'Task' });
    if (!decision.allowed) {
      throw forbidden(`$dispatch creates a Task: ${decision.reason}`);
    }
  }
  // Read through the caller's view: an order the caller may not see is not found.
  const current = await context.store.readCurrent('ServiceRequest', id as string);
  if (!current) {
    throw notFound(`ServiceRequest/${id} is not known`);
  }
  if (current.deleted) {
    throw gone(`ServiceRequest/${id} was deleted`);
  }
  const order = current.resource as ServiceRequest;
  // What is free is read below the caller's restriction (candidates.ts says why); the Task is written
  // through the caller's store, so the write rules judge it (one open visit per order among them).
  const data = context.pipeline.dataStore;
  const refusal = await dispatchRefusal(data, order);
  if (refusal) {
    throw new FhirError(422, [issue('business-rule', refusal, 'ServiceRequest')]);
  }
  const ranking = await rankForOrder(data, order);
  const [chosen, ...alternatives] = ranking.candidates;
  if (!chosen) {
    throw noCandidate(order, ranking);
  }
  const task = await visitTask(data, order, chosen);
  await context.store.create(task);
  const answer: Parameters = {
    resourceType: 'Parameters',
    parameter: [
      { name: 'task', valueReference: { reference: `Task/${task.id}` } },
      ...candidateParts(chosen),
      ...alternatives.map((c): ParametersParameter => ({ name: 'alternative', part: candidateParts(c) })),
    ],
  };
  return { status: 200, body: answer };
};

function candidateParts(candidate: NurseCandidate): ParametersParameter[] {
  return [
    { name: 'nurse', valueReference: { reference: candidate.reference, ...(candidate.role.practitioner?.display ? { display: candidate.role.practitioner.display } : {}) } },
    { name: 'distance', valueDecimal: Math.round(candidate.distanceKm * 100) / 100 },
    { name: 'openVisits', valueInteger: candidate.openVisits },
  ];
}
