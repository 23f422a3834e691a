// Home care ("apply online, served at home"): a few patients who cannot travel ask for services of the
// catalogue; each request is assessed and dispatched (a Task) to a home-care nurse of the patient's clinic
// authorized for the service, who visits and records the visit (an Encounter of class home health).
// Long-term-care insurance covers the services the catalogue marks so.
import type { Coverage, Encounter, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { concept, day, extensionUrl, localDateTime, minute, profileMeta, ref, systems } from '../fhir';
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
    const visitId = `${requestId}-visit`;
    const task: Task = {
      resourceType: 'Task',
      id: `${requestId}-task`,
      meta: profileMeta('dhc-home-care-task'),
      basedOn: [ref('ServiceRequest', requestId)],
      status: done ? 'completed' : 'accepted',
      intent: 'order',
      priority: 'routine',
      code: concept(systems.taskCode, 'fulfill', 'Fulfill the focal request'),
      description: `派单：就近签约护士${service.text}`,
      focus: ref('ServiceRequest', requestId, service.text),
      for: patient,
      authoredOn: localDateTime(authored + 10 * minute),
      requester: ref('Organization', clinic.id, clinic.name),
      owner: ref('PractitionerRole', nurse.roleId, `${nurse.name.family}${nurse.name.given}`),
    };
    resources.push(request, task);
    if (done) {
      task.executionPeriod = { start: localDateTime(visitStart), end: localDateTime(end) };
      task.output = [{ type: { text: '上门服务记录' }, valueReference: ref('Encounter', visitId) }];
      const visit: Encounter = {
        resourceType: 'Encounter',
        id: visitId,
        status: 'finished',
        class: { system: systems.actCode, code: 'HH', display: 'home health' },
        type: [{ text: service.text }],
        subject: patient,
        basedOn: [ref('ServiceRequest', requestId)],
        participant: [{ individual: ref('PractitionerRole', nurse.roleId) }],
        period: { start: localDateTime(visitStart), end: localDateTime(end) },
        serviceProvider: ref('Organization', clinic.id, clinic.name),
      };
      resources.push(visit);
    }
  }
  return resources;
}
