// A home-care order of a generated patient, dated from now, and its family-doctor team's assessment: what
// the start-up replay (homecare-replay.ts) and the benchmark's $dispatch workload send.
import type { Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { workflowCoding } from '../../server/workflows/homecare/codes';
import { networkDateTime } from '../../server/workflows/homecare/visit-task';
import { concept, extensionUrl, minute, profileMeta, ref, systems } from '../fhir';
import type { NetworkDirectory, StaffMember, Team } from '../network/directory';

/** Services every home-care nurse is authorized for, so that every clinic's nurses may be dispatched. */
const services: readonly [string, string, string][] = [
  ['venous-blood-sampling', 'Venous blood sampling', '上门静脉采血'],
  ['wound-dressing', 'Wound dressing change', '上门伤口换药'],
  ['capillary-glucose-testing', 'Capillary blood glucose testing', '上门末梢血糖检测'],
  ['subcutaneous-injection', 'Subcutaneous injection (including insulin)', '上门皮下注射'],
  ['chronic-disease-education', 'Hypertension and diabetes self-management education', '高血压糖尿病自我管理教育'],
];

export interface HomeCareOrder {
  request: ServiceRequest;
  assessment: Task;
  /** The patient's general practitioner (a member of the team that assesses). */
  generalPractitioner: StaffMember;
  team: Team;
}

/**
 * Order `k` of the patient (the service rotates through the basic catalogue; the visit is wanted
 * `daysAhead` days from now, default the next day, in the nurses' hours), asked by the patient or the
 * general practitioner, and its assessment.
 */
export function homeCareOrder(
  id: string,
  k: number,
  patient: Patient,
  network: NetworkDirectory,
  options: { byPatient: boolean; decision: 'eligible' | 'not-eligible'; now: number; daysAhead?: number }
): HomeCareOrder {
  const clinic = network.clinics.find((c) => `Organization/${c.id}` === patient.managingOrganization?.reference);
  const team = clinic?.teams.find((t) => `PractitionerRole/${t.generalPractitioner.roleId}` === patient.generalPractitioner?.[0]?.reference);
  if (!team) {
    throw new Error(`${patient.id} has no family-doctor team in the network`);
  }
  const gp = team.generalPractitioner;
  const { now } = options;
  const [code, display, text] = services[k % services.length];
  const visitDay = networkDateTime(now + (options.daysAhead ?? 1) * 86_400_000).slice(0, 10);
  const hour = (h: number): string => `${visitDay}T${String(h).padStart(2, '0')}:00:00+08:00`;
  const request: ServiceRequest = {
    resourceType: 'ServiceRequest',
    id,
    meta: profileMeta('dhc-home-care-request'),
    extension: [{ url: extensionUrl('home-address'), valueAddress: patient.address?.[0] }],
    status: 'active',
    intent: 'order',
    priority: 'routine',
    code: concept(systems.homeCareService, code, display, text),
    subject: ref('Patient', patient.id as string),
    occurrencePeriod: { start: hour(9 + (k % 6)), end: hour(11 + (k % 6)) },
    authoredOn: networkDateTime(now - 60 * minute),
    requester: options.byPatient ? ref('Patient', patient.id as string) : ref('PractitionerRole', gp.roleId),
    locationCode: [concept(systems.roleCode, 'PTRES', "Patient's Residence")],
    reasonCode: [{ text: '行动不便，无法到机构就诊' }],
  };
  const assessment: Task = {
    resourceType: 'Task',
    id: `${id}-assess`,
    status: 'completed',
    intent: 'order',
    code: { coding: [workflowCoding('eligibility-assessment', 'Home-care eligibility assessment')], text: '居家护理评估' },
    focus: ref('ServiceRequest', id),
    for: ref('Patient', patient.id as string),
    authoredOn: networkDateTime(now - 50 * minute),
    lastModified: networkDateTime(now - 30 * minute),
    owner: ref('CareTeam', team.id, team.name),
    output: [{ type: { coding: [workflowCoding('eligibility-decision')] }, valueCodeableConcept: { coding: [workflowCoding(options.decision)] } }],
  };
  return { request, assessment, generalPractitioner: gp, team };
}
