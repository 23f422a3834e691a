// Referrals from the clinic up to a tertiary hospital (上转): the national rule refers a patient whose
// blood pressure or glucose was not controlled at two follow-up visits in a row, at once when blood
// pressure reaches 180/110. Each referral is a ServiceRequest of the patient's general practitioner whose
// performer is the hospital, giving the condition not controlled and the two visits' measurements as the
// reason. Not every referral the rule calls for is made (assumed share below), and a patient is not
// referred again within half a year. Deterministic from the patient's own random stream.
import type { Observation, Reference, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { concept, day, localDateTime, minute, ref, systems } from '../fhir';
import { weightedPick, type SeededRandom } from '../random';
import type { Hospital } from '../network/directory';
import { windowEnd } from './case-mix';
import { controlled } from './follow-ups';
import type { ChronicCondition, PatientContext } from './patient-record';

/** Assumed share of the referrals the rule calls for that the general practitioner makes. */
const referralShare = 0.35;
/** No second referral within this long of the first. */
const referralGapMs = 182 * day;

/** One follow-up visit as the rule sees it: when, its measurements and their Observations. */
interface VisitReadings {
  encounter: string;
  at: number;
  systolic: number;
  diastolic: number;
  glucose?: number;
  observations: string[];
}

/** The referrals of one patient, from their follow-up visits (the resources followUpVisits made). */
export function referrals(context: PatientContext, followUps: readonly Resource[]): ServiceRequest[] {
  const rng = context.stream('referrals');
  const visits = readingsOf(followUps);
  const requests: ServiceRequest[] = [];
  let lastReferral = -Infinity;
  for (let v = 1; v < visits.length; v++) {
    const [previous, visit] = [visits[v - 1], visits[v]];
    const urgent = visit.systolic >= 180 || visit.diastolic >= 110;
    if (!urgent && (controlled(previous) || controlled(visit))) {
      continue;
    }
    if (visit.at - lastReferral < referralGapMs || !rng.chance(urgent ? 0.9 : referralShare)) {
      continue;
    }
    const reasons = uncontrolledConditions(context, visit);
    if (reasons.length === 0) {
      continue;
    }
    lastReferral = visit.at;
    requests.push(referral(context, requests.length, urgent ? [visit] : [previous, visit], reasons, urgent, rng.int(10, 90) * minute));
  }
  return requests;
}

/** The conditions whose measurement was over its target at the visit: blood pressure 140/90, fasting glucose 7.0 mmol/L. */
function uncontrolledConditions(context: PatientContext, visit: VisitReadings): ChronicCondition[] {
  const reasons: ChronicCondition[] = [];
  if (context.hypertension && (visit.systolic >= 140 || visit.diastolic >= 90)) {
    reasons.push(context.hypertension);
  }
  if (context.diabetes && visit.glucose !== undefined && visit.glucose >= 7.0) {
    reasons.push(context.diabetes);
  }
  return reasons;
}

function readingsOf(followUps: readonly Resource[]): VisitReadings[] {
  const visits = new Map<string, VisitReadings>();
  for (const resource of followUps) {
    if (resource.resourceType === 'Encounter' && resource.class?.code === 'AMB' && resource.period?.start) {
      visits.set(resource.id as string, { encounter: resource.id as string, at: Date.parse(`${resource.period.start.slice(0, 19)}Z`), systolic: 0, diastolic: 0, observations: [] });
    }
  }
  for (const resource of followUps) {
    const visit = resource.resourceType === 'Observation' ? visits.get(resource.encounter?.reference?.split('/')[1] ?? '') : undefined;
    if (!visit) {
      continue;
    }
    const observation = resource as Observation;
    const loinc = observation.code.coding?.[0]?.code;
    if (loinc === '85354-9') {
      visit.systolic = componentValue(observation, '8480-6');
      visit.diastolic = componentValue(observation, '8462-4');
      visit.observations.push(observation.id as string);
    } else if (loinc === '14770-2') {
      visit.glucose = observation.valueQuantity?.value;
      visit.observations.push(observation.id as string);
    }
  }
  return [...visits.values()].filter((v) => v.systolic > 0).sort((a, b) => a.at - b.at);
}

function componentValue(observation: Observation, loinc: string): number {
  return observation.component?.find((c) => c.code.coding?.[0]?.code === loinc)?.valueQuantity?.value ?? 0;
}

/** Where a patient is referred: a general tertiary hospital of the clinic's district first, else the city's, or the specialty hospital. */
function hospitalFor(context: PatientContext, specialty: 'Cardiovascular' | 'Metabolic', rng: SeededRandom): Hospital {
  const tertiary = context.network.hospitals.filter((h) => h.level === 'tertiary');
  const local = (h: Hospital): boolean => h.place.district.region === context.clinic.place.district.region;
  const candidates: [Hospital, number][] = [
    ...tertiary.filter((h) => /People’s Hospital|Affiliated/.test(h.alias)).map((h): [Hospital, number] => [h, local(h) ? 6 : 1]),
    ...tertiary.filter((h) => h.alias.includes(specialty)).map((h): [Hospital, number] => [h, 3]),
  ];
  return weightedPick(rng, candidates, (c) => c[1])[0];
}

function referral(context: PatientContext, n: number, visits: VisitReadings[], reasons: ChronicCondition[], urgent: boolean, delay: number): ServiceRequest {
  const { id: pid, team } = context;
  const visit = visits[visits.length - 1];
  const rng = context.stream(`referral-${n}`);
  const hypertensive = reasons.some((r) => r.kind === 'hypertension');
  const department = hypertensive ? '心血管内科' : '内分泌科';
  const hospital = hospitalFor(context, hypertensive ? 'Cardiovascular' : 'Metabolic', rng);
  const authored = visit.at + 20 * minute + delay;
  const measured = reasons.map((r) => (r.kind === 'hypertension' ? '血压' : '血糖')).join('、');
  const reasonText = urgent ? `血压${visit.systolic}/${visit.diastolic} mmHg，达到紧急转诊标准` : `连续两次随访${measured}控制不满意`;
  const supportingInfo: Reference[] = visits.flatMap((v) => v.observations.map((o) => ref('Observation', o)));
  return {
    resourceType: 'ServiceRequest',
    id: `${pid}-ref${n}`,
    identifier: [{ system: 'https://fhir.dhc.example/sid/referral', value: `ZZ-${localDateTime(authored).slice(0, 10).replaceAll('-', '')}-${pid.slice(4)}-${n}` }],
    // Referrals of the last month of the generated window are still open.
    status: authored < windowEnd - 30 * day ? 'completed' : 'active',
    intent: 'order',
    priority: urgent ? 'urgent' : 'routine',
    category: [concept(systems.snomed, '3457005', 'Patient referral', '转诊')],
    code: { text: `上转至${hospital.name}${department}` },
    subject: ref('Patient', pid, context.name.family + context.name.given),
    encounter: ref('Encounter', visit.encounter),
    authoredOn: localDateTime(authored),
    requester: ref('PractitionerRole', team.generalPractitioner.roleId, `${team.generalPractitioner.name.family}${team.generalPractitioner.name.given} 家庭医生`),
    performerType: { text: department },
    performer: [ref('Organization', hospital.id, hospital.name)],
    reasonCode: [{ text: reasonText }],
    reasonReference: reasons.map((r) => ref('Condition', r.id, r.display)),
    supportingInfo,
  };
}

/** Whether a resource is one of the generated referrals (for the seed's documentation and tests). */
export function isReferral(resource: Resource): resource is ServiceRequest {
  return resource.resourceType === 'ServiceRequest' && (resource as ServiceRequest).category?.some((c) => c.coding?.some((x) => x.system === systems.snomed && x.code === '3457005')) === true;
}
