// The laboratory results of one person for $recognize?patient=..: every Patient record with the same
// resident ID number (the person may be registered at several institutions), then their laboratory
// Observations or DiagnosticReports, as the caller may see them (the caller's store restriction applies).
import type { FhirContext } from '../../fhir/request';
import type { ResourceVersion } from '../../store/port';
import { allMatches } from './all-matches';

/** More results than this for one person asks for a `code`. */
const maxResults = 2000;

const laboratoryCategory: Record<string, string> = {
  Observation: 'http://terminology.hl7.org/CodeSystem/observation-category|laboratory',
  DiagnosticReport: 'http://terminology.hl7.org/CodeSystem/v2-0074|LAB',
};

/** The ids of every Patient record of the person: the one named and those sharing one of its resident ID numbers. */
export async function samePersonRecords(context: FhirContext, patientId: string, residentIdSystem: string, residentIds: ReadonlySet<string>): Promise<string[]> {
  const ids = new Set([patientId]);
  for (const residentId of residentIds) {
    for (const version of await allMatches(context, 'Patient', new URLSearchParams({ identifier: `${residentIdSystem}|${residentId}` }), maxResults, 'Too many patient records share the resident ID number')) {
      ids.add(version.id);
    }
  }
  return [...ids];
}

/** The laboratory results (of `resourceType`) of the given Patient records. */
export async function laboratoryResultsOf(context: FhirContext, resourceType: string, patientIds: string[]): Promise<ResourceVersion[]> {
  const query = new URLSearchParams({ subject: patientIds.map((id) => `Patient/${id}`).join(','), category: laboratoryCategory[resourceType] });
  return allMatches(context, resourceType, query, maxResults, `The person has more than ${maxResults} laboratory results: name the item with 'code'`);
}
