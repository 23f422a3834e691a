// The server's ResourceValidator over the base R4 definitions only (no store, no network content), for
// tests of what R4 itself says about a resource.
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { ensureFhirSchema } from '../../server/search/indexing/fhir-schema';
import { BaseDefinitionsSource } from '../../server/terminology/base-definitions-source';
import { LocalTerminology } from '../../server/terminology/local-terminology';
import { validateBaseSchema } from '../../server/validation/base-schema';
import { defaultValidationPolicy, ResourceValidator, type ValidationPolicy } from '../../server/validation/resource-validator';
import { baseStructureDefinition } from '../../server/validation/structure-definitions';

export function baseValidator(policy: Partial<ValidationPolicy> = {}): ResourceValidator {
  ensureFhirSchema();
  const lookup = async (canonical: string) => baseStructureDefinition(canonical.split('|')[0]);
  return new ResourceValidator(lookup, new LocalTerminology(new BaseDefinitionsSource()), { ...defaultValidationPolicy, ...policy });
}

/** What a write runs: the base JSON schema, then (when it passes) the validator. */
export async function writeIssues(validator: ResourceValidator, resource: Resource): Promise<OperationOutcomeIssue[]> {
  const schema = validateBaseSchema(resource);
  return schema.length ? schema : validator.writeIssues(resource);
}

export const errorTexts = (issues: OperationOutcomeIssue[]): string[] =>
  issues.filter((i) => i.severity === 'error' || i.severity === 'fatal').map((i) => i.details?.text ?? '');
