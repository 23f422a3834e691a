// The scope an evaluation covers, from $evaluate-measure's `subject` (a clinic's Organization, a
// family-doctor team's CareTeam, or a Group of patients) or this server's `district` parameter (districts are not resources: the
// name in the clinics' Organization.address.district), or the whole network when neither is given; and
// whether the caller may evaluate it (server/auth/policy/measure-evaluation.ts).
import type { CareTeam, Group, Organization, Reference } from '@medplum/fhirtypes';
import { mayEvaluateMeasures } from '../../auth/policy/measure-evaluation';
import { badRequest, forbidden, notFound } from '../../outcomes';
import type { FhirContext } from '../../fhir/request';
import type { PatientScope } from './figures';
import { organizationDirectory, type OrganizationDirectory } from './organization-directory';

export interface EvaluationScope extends PatientScope {
  /** The subject as given ('Organization/x', 'CareTeam/y', 'Group/z'). */
  subject?: string;
  district?: string;
  /** The organizations of the network, for the district strata. */
  directory: OrganizationDirectory;
  /** The clinic reporting: the subject Organization, or the team's managing organization. */
  reporter?: Reference<Organization>;
}

export async function evaluationScope(subject: string | undefined, district: string | undefined, context: FhirContext): Promise<EvaluationScope> {
  if (subject !== undefined && district !== undefined) {
    throw badRequest('Give either subject or district, not both', 'district');
  }
  const directory = await organizationDirectory(context);
  if (district !== undefined) {
    const organizations = directory.inDistrict(district);
    if (!organizations.length) {
      throw notFound(`No organization of the network is in district '${district}'`);
    }
    authorize(context, 'all');
    return { district, directory, within: { param: 'organization', targets: organizations.map((id) => ({ resourceType: 'Organization', id })) } };
  }
  if (subject === undefined) {
    authorize(context, 'all');
    return { directory };
  }
  const [type, id, ...rest] = subject.split('/');
  if (rest.length || !id || (type !== 'Organization' && type !== 'CareTeam' && type !== 'Group')) {
    throw badRequest(`subject: '${subject}' is not a reference to an Organization (a clinic), a CareTeam (a family-doctor team) or a Group of patients`, 'subject');
  }
  // Read below the caller's restriction: a team has no patient, so a clinician's view would hide it;
  // whether the caller may evaluate it is decided from its organization just below.
  const version = await context.pipeline.dataStore.readCurrent(type, id);
  if (!version?.resource || version.deleted) {
    throw notFound(`${subject} is not known`);
  }
  if (type === 'Organization') {
    authorize(context, [subject]);
    const name = (version.resource as Organization).name;
    return {
      subject,
      directory,
      reporter: { reference: subject, ...(name ? { display: name } : {}) },
      within: { param: 'organization', targets: [{ resourceType: 'Organization', id }] },
    };
  }
  if (type === 'Group') {
    return groupScope(subject, version.resource as Group, directory, context);
  }
  // A family-doctor team: the patients whose general practitioner is one of the team's members.
  const team = version.resource as CareTeam;
  const organizations = (team.managingOrganization ?? []).map((o) => o.reference).filter((r): r is string => !!r);
  authorize(context, organizations);
  const members = (team.participant ?? [])
    .map((p) => p.member?.reference?.split('/'))
    .filter((parts): parts is string[] => parts?.length === 2 && (parts[0] === 'PractitionerRole' || parts[0] === 'Practitioner'))
    .map(([resourceType, memberId]) => ({ resourceType, id: memberId }));
  return {
    subject,
    directory,
    ...(team.managingOrganization?.[0] ? { reporter: team.managingOrganization[0] as Reference<Organization> } : {}),
    within: { param: 'general-practitioner', targets: members },
  };
}

/**
 * A Group of patients (https://hl7.org/fhir/R4/group.html): its current Patient members are the
 * candidates. Whoever manages it decides who may evaluate it, as for a team: an Organization
 * (`managingEntity`) names the clinic; a CareTeam there (not a type R4 allows, but how a team's list may
 * be kept) names its clinics; without either only auditors and administrators may.
 */
async function groupScope(subject: string, group: Group, directory: OrganizationDirectory, context: FhirContext): Promise<EvaluationScope> {
  if (group.type !== 'person') {
    throw badRequest(`subject: ${subject} is a Group of type '${group.type}', not of persons (patients)`, 'subject');
  }
  const [managerType, managerId] = group.managingEntity?.reference?.split('/') ?? [];
  let organizations: Reference<Organization>[] = [];
  if (managerType === 'Organization') {
    organizations = [group.managingEntity as Reference<Organization>];
  } else if (managerType === 'CareTeam' && managerId) {
    const team = await context.pipeline.dataStore.readCurrent('CareTeam', managerId);
    organizations = team?.resource && !team.deleted ? ((team.resource as CareTeam).managingOrganization ?? []) : [];
  }
  authorize(context, organizations.map((o) => o.reference).filter((r): r is string => !!r));
  const patients = (group.member ?? [])
    .filter((m) => !m.inactive)
    .map((m) => m.entity.reference?.split('/'))
    .filter((parts): parts is string[] => parts?.length === 2 && parts[0] === 'Patient')
    .map(([, patientId]) => patientId);
  return { subject, directory, ...(organizations[0] ? { reporter: organizations[0] } : {}), patients };
}

function authorize(context: FhirContext, organizations: string[] | 'all'): void {
  const decision = mayEvaluateMeasures(context.caller, organizations);
  if (!decision.allowed) {
    throw forbidden(decision.reason);
  }
}
