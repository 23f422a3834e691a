// Home care ("apply online, served at home"): a few patients who cannot travel ask for services of the
// catalogue; each request is assessed by the family-doctor team (an eligibility Task) and dispatched (a
// home-visit Task) to a home-care nurse of the patient's clinic authorized for the service and serving the
// home, who checks in at the home and records the service (a Procedure, with an Encounter of class home
// health). The shape is what the home-care write rules ask of every writer (server/workflows/homecare).
// Long-term-care insurance covers the services the catalogue marks so.
import type { Coverage, Encounter, Procedure, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { workflowCoding } from '../../server/workflows/homecare/codes';
import { addressPosition } from '../../server/workflows/homecare/geo';
import type { StaffMember } from '../network/directory';
import { coding, concept, day, extensionUrl, localDateTime, minute, profileMeta, ref, systems } from '../fhir';
import { weightedPick } from '../random';
import { homeCarePatientShare, windowEnd, windowStart } from './case-mix';
import type { PatientContext } from './patient-record';

/** The services chronic patients ask for most, with assumed weights, and whether long-term-care insurance covers them. */
const services: readonly { code: string; display: string; text: string; weight: number; ltc: boolean }[] = [
  { code: 'venous-blood-sampling', display: 'Venous blood sampling', text: '上门静脉采血', weight: 24, ltc: false },
  { code: 'capillary-glucose-testing', display: 'Capillary blood glucose testing', text: '上门末梢血糖检测', weight: 10, ltc: false },
  { code: 'wound-dressing', display: 'Wound dressing change', text: '上门伤口换药', weight: 12, ltc: true },
  { code: 'urinary-catheter-replacement', display: 'Indwelling urinary catheter insertion or replacement', text: '上门更换导尿管', weight: 10, ltc: true },
  { code: 'gastric-tube-replacement', display: 'Nasogastric tube insertion or replacement', text: '上门更换胃管', weight: 6, ltc: true },
  { code: 'subcutaneous-injection', display: 'Subcutaneous injection (including insulin)', text: '上门皮下注射', weight: 6, ltc: true },
  { code: 'intramuscular-injection', display: 'Intramuscular injection', text: '上门肌内注射', weight: 5, ltc: true },
  { code: 'pressure-injury-prevention', display: 'Pressure injury prevention and repositioning', text: '压力性损伤预防护理', weight: 7, ltc: true },
  { code: 'diabetic-foot-care', display: 'Diabetic foot care', text: '糖尿病足护理', weight: 4, ltc: true },
  { code: 'post-stroke-rehabilitation-guidance', display: 'Post-stroke rehabilitation guidance', text: '脑卒中后康复指导', weight: 6, ltc: false },
  { code: 'acupuncture', display: 'Acupuncture (filiform needle), on a TCM physician order', text: '上门针刺', weight: 4, ltc: false },
  { code: 'chronic-disease-education', display: 'Hypertension and diabetes self-management education', text: '高血压糖尿病自我管理教育', weight: 6, ltc: false },
];

/** Visits per home-care patient: 1 to 6, weighted to 3.25 on average (26,000 visits for 8,000 patients). */
const visitCounts: readonly (readonly [number, number])[] = [
  [1, 15],
  [2, 20],
  [3, 22],
  [4, 20],
  [5, 13],
  [6, 10],
];

export function homeCare(context: PatientContext): Resource[] {
  const rng = context.stream('home-care');
  if (!rng.chance(homeCarePatientShare)) {
    return [];
  }
  const { id: pid, clinic, team } = context;
  const patient = ref('Patient', pid, context.name.family + context.name.given);
  const ltcCoverage: Coverage = {
    resourceType: 'Coverage',
    id: `${pid}-ltc`,
    status: 'active',
    type: { text: '长期护理保险' },
    beneficiary: ref('Patient', pid),
    payor: [{ display: '青禾市医疗保障局' }],
  };
  const resources: Resource[] = [ltcCoverage];
  const count = weightedPick(rng, visitCounts, (c) => c[1])[0];
  const first = windowStart + rng.int(0, 600) * day;
  for (let h = 0; h < count; h++) {
    const service = weightedPick(rng, services, (s) => s.weight);
    const authored = first + h * rng.int(14, 35) * day + rng.int(8 * 60, 20 * 60) * minute;
    const visitStart = authored + rng.int(1, 3) * day - (authored % day) + rng.int(8 * 60, 16 * 60) * minute;
    if (visitStart > windowEnd) {
      break;
    }
    const end = visitStart + rng.int(30, 75) * minute;
    const done = end < windowEnd - day;
    const nurse = rng.pick(clinic.homeCareNurses.filter((n) => n.homeCareServices!.includes(service.code)));
    const requestId = `${pid}-hc${h}`;
    const byPatient = rng.chance(0.6);
    const request: ServiceRequest = {
      resourceType: 'ServiceRequest',
      id: requestId,
      meta: profileMeta('dhc-home-care-request'),
      extension: [{ url: extensionUrl('home-address'), valueAddress: context.home }],
      identifier: [{ system: 'https://fhir.dhc.example/sid/home-care/order', value: `HC-${localDateTime(authored).slice(0, 10).replaceAll('-', '')}-${pid.slice(4)}-${h}` }],
      status: done ? 'completed' : 'active',
      intent: 'order',
      priority: 'routine',
      code: concept(systems.homeCareService, service.code, service.display, service.text),
      subject: patient,
      occurrencePeriod: { start: localDateTime(visitStart - 30 * minute), end: localDateTime(visitStart + 90 * minute) },
      authoredOn: localDateTime(authored),
      requester: byPatient ? patient : ref('PractitionerRole', team.generalPractitioner.roleId),
      performerType: { text: '护师及以上' },
      locationCode: [concept(systems.roleCode, 'PTRES', "Patient's Residence")],
      reasonCode: [{ text: '行动不便，无法到机构就诊' }],
      reasonReference: [context.hypertension, context.diabetes].filter((c) => c !== undefined).map((c) => ref('Condition', c.id, c.display)),
    };
    if (service.ltc) {
      request.insurance = [ref('Coverage', ltcCoverage.id!)];
    }
    // The family-doctor team assessed the request first (the eligibility Task), then it was dispatched.
    const assessed = authored + rng.int(20, 240) * minute;
    const assessment: Task = {
      resourceType: 'Task',
      id: `${requestId}-assess`,
      basedOn: [ref('ServiceRequest', requestId)],
      status: 'completed',
      intent: 'order',
      priority: 'routine',
      code: { coding: [workflowCoding('eligibility-assessment', 'Home-care eligibility assessment')], text: '居家护理评估' },
      focus: ref('ServiceRequest', requestId, service.text),
      for: patient,
      authoredOn: localDateTime(authored + minute),
      lastModified: localDateTime(assessed),
      requester: request.requester,
      owner: ref('CareTeam', team.id, team.name),
      executionPeriod: { start: localDateTime(authored + minute), end: localDateTime(assessed) },
      output: [{ type: { coding: [workflowCoding('eligibility-decision')] }, valueCodeableConcept: { coding: [workflowCoding('eligible', 'Eligible for home care')], text: '符合居家护理条件' } }],
    };
    const task: Task = {
      resourceType: 'Task',
      id: `${requestId}-task`,
      meta: profileMeta('dhc-home-care-task'),
      basedOn: [ref('ServiceRequest', requestId)],
      status: done ? 'completed' : 'accepted',
      intent: 'order',
      priority: 'routine',
      code: { coding: [coding(systems.taskCode, 'fulfill', 'Fulfill the focal request'), workflowCoding('home-visit', 'Home-care visit')] },
      description: `派单：就近签约护士${service.text}`,
      focus: ref('ServiceRequest', requestId, service.text),
      for: patient,
      authoredOn: localDateTime(assessed + 10 * minute),
      lastModified: localDateTime(done ? end : assessed + 30 * minute),
      requester: ref('Organization', clinic.id, clinic.name),
      restriction: { period: request.occurrencePeriod },
      owner: ref('PractitionerRole', nurse.roleId, `${nurse.name.family}${nurse.name.given}`),
    };
    resources.push(request, assessment);
    if (done) {
      resources.push(...visitRecord(context, { requestId, service, nurse, visitStart, end }, task));
    }
    resources.push(task);
  }
  return resources;
}

/**
 * A visit done: its Encounter and the service record (a Procedure), and the Task completed with them, its
 * check-in place (a contained Location at the home: the geolocation of the home address) and its times.
 */
function visitRecord(
  context: PatientContext,
  visit: { requestId: string; service: { code: string; display: string; text: string }; nurse: StaffMember; visitStart: number; end: number },
  task: Task
): Resource[] {
  const { id: pid, clinic } = context;
  const { requestId, service, nurse, visitStart, end } = visit;
  const period = { start: localDateTime(visitStart), end: localDateTime(end) };
  const encounter: Encounter = {
    resourceType: 'Encounter',
    id: `${requestId}-visit`,
    status: 'finished',
    class: { system: systems.actCode, code: 'HH', display: 'home health' },
    type: [{ text: service.text }],
    subject: ref('Patient', pid),
    basedOn: [ref('ServiceRequest', requestId)],
    participant: [{ individual: ref('PractitionerRole', nurse.roleId) }],
    period,
    serviceProvider: ref('Organization', clinic.id, clinic.name),
  };
  const procedure: Procedure = {
    resourceType: 'Procedure',
    id: `${requestId}-proc`,
    basedOn: [ref('ServiceRequest', requestId)],
    status: 'completed',
    code: concept(systems.homeCareService, service.code, service.display, service.text),
    subject: ref('Patient', pid),
    encounter: ref('Encounter', encounter.id!),
    performedPeriod: period,
    performer: [{ actor: ref('PractitionerRole', nurse.roleId), onBehalfOf: ref('Organization', clinic.id) }],
  };
  const home = addressPosition(context.home);
  task.contained = [{ resourceType: 'Location', id: 'check-in', status: 'active', mode: 'instance', ...(home ? { position: home } : {}) }];
  task.input = [{ type: { coding: [workflowCoding('check-in', 'Check-in place')] }, valueReference: { reference: '#check-in' } }];
  task.executionPeriod = period;
  task.output = [
    { type: { coding: [workflowCoding('visit-record', 'Service record')], text: '上门服务记录' }, valueReference: ref('Procedure', procedure.id!) },
    { type: { text: '上门就诊' }, valueReference: ref('Encounter', encounter.id!) },
  ];
  return [encounter, procedure];
}
