// MedicationRequest/$review: the cloud pharmacy's automated review of a prescription, without storing
// anything: POST [base]/MedicationRequest/$review with the request as the body (or as the `resource`
// parameter of a Parameters body), GET or POST [base]/MedicationRequest/[id]/$review for a stored one.
// The answer is 200 with an OperationOutcome, one issue per finding: error for a finding that refuses
// the write, warning (DetectedIssue severity high or moderate) or information (low) for one recorded
// for the pharmacist; details.coding names the check (prescription-check) and the severity. The
// definition: profiles/input/fsh/operations.fsh (OperationDefinition MedicationRequest-review).
import type { MedicationRequest, OperationOutcomeIssue, Parameters } from '@medplum/fhirtypes';
import type { Route, RouteOperation } from '../../fhir/routes';
import type { FhirContext, Interaction } from '../../fhir/request';
import { validateWrite } from '../../fhir/validate-write';
import { badRequest, gone, issue, notFound } from '../../outcomes';
import { cloudPharmacyOf, urls } from './cloud-pharmacy';
import { pharmacyTerminology } from './formulary';
import { reviewPrescription, type Finding } from './review-checks';

export const reviewOperation: RouteOperation = {
  resourceTypes: ['MedicationRequest'],
  name: 'review',
  definition: 'https://fhir.dhc.example/OperationDefinition/MedicationRequest-review',
};

const levels: Record<Finding['severity'], OperationOutcomeIssue['severity']> = { refuse: 'error', high: 'warning', moderate: 'warning', low: 'information' };

export function findingIssue(finding: Finding): OperationOutcomeIssue {
  return {
    severity: levels[finding.severity],
    code: finding.severity === 'refuse' ? 'business-rule' : 'informational',
    details: {
      coding: [
        { system: urls.check, code: finding.check },
        { system: 'http://hl7.org/fhir/detectedissue-severity', code: finding.severity === 'refuse' ? 'high' : finding.severity },
      ],
      text: finding.text,
    },
    diagnostics: finding.severity === 'refuse' ? 'refuses the write' : 'recorded for the pharmacist',
    expression: [finding.expression],
  };
}

async function subjectOf(body: unknown, id: string | undefined, context: FhirContext): Promise<MedicationRequest> {
  if (id !== undefined) {
    const current = await context.store.readCurrent('MedicationRequest', id);
    if (!current) {
      throw notFound(`MedicationRequest/${id} is not known`);
    }
    if (current.deleted || !current.resource) {
      throw gone(`MedicationRequest/${id} was deleted`);
    }
    return current.resource as MedicationRequest;
  }
  const parameters = (body as Partial<Parameters> | undefined)?.resourceType === 'Parameters' ? ((body as Parameters).parameter ?? []) : undefined;
  const resource = parameters ? parameters.find((p) => p.name === 'resource')?.resource : body;
  if (resource === undefined) {
    throw badRequest('$review needs a MedicationRequest: send it as the body, or as the resource parameter', 'resource');
  }
  // A body that is not a MedicationRequest of the right shape is answered 400, as its create would be.
  return validateWrite(resource, 'MedicationRequest') as MedicationRequest;
}

export const review: Interaction = async (request, { resourceType, id }, context) => {
  if (resourceType !== 'MedicationRequest') {
    throw notFound(`$review is defined for MedicationRequest, not for ${resourceType}`);
  }
  const prescription = await subjectOf(request.body, id, context);
  const terminology = await pharmacyTerminology(context.store);
  if (!terminology) {
    throw notFound('No network formulary (CodeSystem/formulary) is loaded');
  }
  const issues = (await reviewPrescription(prescription, context.store, terminology)).map(findingIssue);
  if (!(await cloudPharmacyOf(context.store, prescription))) {
    issues.push(issue('informational', 'The request is not addressed to the cloud pharmacy (dispenseRequest.performer): its writes are not reviewed', 'MedicationRequest.dispenseRequest.performer', 'information'));
  }
  if (!issues.length) {
    issues.push(issue('informational', 'Every check of the automated review passed', undefined, 'information'));
  }
  return { status: 200, body: { resourceType: 'OperationOutcome', issue: issues } };
};

/** The routes of the cloud pharmacy, spread into the route table (server/fhir/routes.ts). */
export const pharmacyRoutes: Route[] = [
  { method: 'POST', pattern: [':type', '$review'], interaction: 'operation', operation: reviewOperation, handler: review },
  { method: 'GET', pattern: [':type', ':id', '$review'], interaction: 'operation', operation: reviewOperation, handler: review },
  { method: 'POST', pattern: [':type', ':id', '$review'], interaction: 'operation', operation: reviewOperation, handler: review },
];
