// Follow-up visits of a managed patient over the two generated years: in a year managed to the rule
// (standardized-management rate) one visit a quarter, otherwise one to three; a visit with blood pressure
// (or glucose) not controlled is followed up within 2 weeks about half the time (national rule). Each visit
// is an Encounter with the pre-visit measurements (blood pressure, weight, BMI; height and waist once a
// year; capillary fasting glucose for diabetes) and one follow-up panel per condition. Values trend
// toward the targets with treatment (calibrated in docs/seed.md).
import type { Encounter, Observation, Resource } from '@medplum/fhirtypes';
import { clamp, concept, day, localDateTime, minute, profileMeta, quantity, ref, round1, systems } from '../fhir';
import type { SeededRandom } from '../random';
import { standardizedManagementRate, windowEnd, windowStart, years } from './case-mix';
import type { PatientContext } from './patient-record';

export interface FollowUps {
  resources: Resource[];
  /** Visits at which the yearly laboratory work-up is drawn (the first of each year), and a diabetic's mid-year HbA1c. */
  labDays: { at: number; annual: boolean; trend: Trend }[];
}

/** The patient's underlying values at a time: what a measurement scatters around. */
export interface Trend {
  systolic: number;
  diastolic: number;
  /** Fasting capillary glucose, mmol/L (diabetes). */
  glucose: number;
  weight: number;
}

/** Thresholds of control used for the 2-week follow-up: blood pressure 140/90, fasting glucose 7.0 mmol/L. */
export function controlled(values: { systolic: number; diastolic: number; glucose?: number }): boolean {
  return values.systolic < 140 && values.diastolic < 90 && (values.glucose === undefined || values.glucose < 7.0);
}

const quarterMs = (365.25 / 4) * day;

export function followUpVisits(context: PatientContext): FollowUps {
  const rng = context.stream('follow-up');
  const { hypertension, diabetes } = context;
  const height = context.male ? rng.normal(168.5, 6) : rng.normal(157.5, 5.5);
  const bmi0 = clamp(rng.normal(25.6, 3.2), 17, 42);
  const weight0 = bmi0 * (height / 100) ** 2;
  const weightDrift = rng.normal(-0.6, 1.8);
  const systolic0 = hypertension ? clamp(rng.normal(143, 13), 112, 205) : clamp(rng.normal(126, 10), 100, 150);
  const diastolic0 = clamp(rng.normal(systolic0 * 0.52 + 12 - (context.age - 60) * 0.25, 6), 55, 120);
  // Treatment lowers blood pressure and glucose over the two years, most of it in the first (saturating).
  const systolicDrop = hypertension ? rng.normal(6.2, 7) : 0;
  const glucose0 = clamp(rng.normal(8.4, 2.0), 5.0, 20);
  const glucoseDrop = rng.normal(1.25, 1.0);
  const trendAt = (t: number): Trend => {
    const f = (t - windowStart) / (windowEnd - windowStart);
    const effect = (1 - Math.exp(-3 * f)) / (1 - Math.exp(-3));
    return {
      systolic: systolic0 - systolicDrop * effect,
      diastolic: diastolic0 - systolicDrop * 0.45 * effect,
      glucose: glucose0 - glucoseDrop * effect,
      weight: weight0 + weightDrift * f,
    };
  };

  const resources: Resource[] = [];
  const labDays: FollowUps['labDays'] = [];
  let visit = 0;
  for (const year of years) {
    const managed = rng.chance(standardizedManagementRate);
    const quarters = managed ? [0, 1, 2, 3] : pickQuarters(rng, rng.int(1, 3));
    let firstOfYear = true;
    for (const quarter of quarters) {
      // Morning clinics (08:00-11:30) mostly, some afternoons; some days into the quarter.
      const hour = rng.chance(0.8) ? rng.int(8, 11) : rng.int(14, 16);
      const start = Date.UTC(year, 0, 1) + quarter * quarterMs + rng.int(3, 60) * day + hour * 3_600_000 + rng.int(0, 50) * minute;
      const trend = trendAt(start);
      const measured = measure(trend, rng, !!diabetes);
      resources.push(...visitResources(context, visit, start, measured, { height, recordHeight: firstOfYear }, rng));
      if (firstOfYear) {
        labDays.push({ at: start, annual: true, trend });
      } else if (diabetes && quarter === 2) {
        labDays.push({ at: start, annual: false, trend });
      }
      visit++;
      firstOfYear = false;
      // Not controlled: seen again within 2 weeks, about half the time (the rest by phone, not recorded here).
      if (managed && !controlled(measured) && rng.chance(0.5)) {
        const again = start + rng.int(10, 14) * day;
        if (again < Date.UTC(year + 1, 0, 1)) {
          resources.push(...visitResources(context, visit, again, measure(trendAt(again), rng, !!diabetes), { height, recordHeight: false }, rng, true));
          visit++;
        }
      }
    }
  }
  return { resources, labDays };
}

function pickQuarters(rng: SeededRandom, count: number): number[] {
  const quarters = [0, 1, 2, 3];
  for (let i = quarters.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [quarters[i], quarters[j]] = [quarters[j], quarters[i]];
  }
  return quarters.slice(0, count).sort();
}

interface Measured {
  systolic: number;
  diastolic: number;
  weight: number;
  glucose?: number;
}

function measure(trend: Trend, rng: SeededRandom, diabetic: boolean): Measured {
  const systolic = Math.round(clamp(trend.systolic + rng.normal(0, 7), 85, 235));
  const diastolic = Math.round(clamp(trend.diastolic + rng.normal(0, 4.5), 45, Math.min(135, systolic - 15)));
  const result: Measured = { systolic, diastolic, weight: round1(clamp(trend.weight + rng.normal(0, 0.5), 30, 180)) };
  if (diabetic) {
    result.glucose = round1(clamp(trend.glucose + rng.normal(0, 0.9), 3.2, 28));
  }
  return result;
}

const vitalSigns = [concept(systems.observationCategory, 'vital-signs', 'Vital Signs')];

function visitResources(
  context: PatientContext,
  visit: number,
  start: number,
  measured: Measured,
  { height, recordHeight }: { height: number; recordHeight: boolean },
  rng: SeededRandom,
  twoWeekFollowUp = false
): Resource[] {
  const { id: pid, team, clinic, hypertension, diabetes } = context;
  const encounterId = `${pid}-e${visit}`;
  const subject = ref('Patient', pid);
  const encounter = ref('Encounter', encounterId);
  const nurse = ref('PractitionerRole', team.healthManager.roleId);
  const doctor = ref('PractitionerRole', team.generalPractitioner.roleId);
  const measuredAt = localDateTime(start + 5 * minute);
  const common = { status: 'final' as const, subject, encounter, effectiveDateTime: measuredAt, performer: [nurse] };
  const observation = (suffix: string, profile: string, code: string, display: string, text: string, rest: Partial<Observation>): Observation => ({
    resourceType: 'Observation',
    id: `${encounterId}-${suffix}`,
    meta: profileMeta(profile),
    ...common,
    category: vitalSigns,
    code: concept(systems.loinc, code, display, text),
    ...rest,
  });
  const members: Observation[] = [
    observation('bp', 'dhc-blood-pressure', '85354-9', 'Blood pressure panel with all children optional', '血压', {
      component: [
        { code: concept(systems.loinc, '8480-6', 'Systolic blood pressure'), valueQuantity: quantity(measured.systolic, 'mm[Hg]', 'mmHg') },
        { code: concept(systems.loinc, '8462-4', 'Diastolic blood pressure'), valueQuantity: quantity(measured.diastolic, 'mm[Hg]', 'mmHg') },
      ],
    }),
  ];
  if (!twoWeekFollowUp) {
    const heightObservation = !recordHeight ? undefined : observation('ht', 'dhc-body-height', '8302-2', 'Body height', '身高', { valueQuantity: quantity(round1(height), 'cm') });
    const weight = observation('wt', 'dhc-body-weight', '29463-7', 'Body weight', '体重', { valueQuantity: quantity(measured.weight, 'kg') });
    const bmiValue = round1(measured.weight / (height / 100) ** 2);
    members.push(weight);
    if (heightObservation) {
      const waist = clamp((context.male ? 2.9 * bmiValue + 15 : 2.8 * bmiValue + 12) + rng.normal(0, 4), 55, 150);
      members.push(heightObservation, observation('wc', 'dhc-waist-circumference', '8280-0', 'Waist Circumference at umbilicus by Tape measure', '腰围', { valueQuantity: quantity(round1(waist), 'cm') }));
    }
    members.push(
      observation('bmi', 'dhc-bmi', '39156-5', 'Body mass index (BMI) [Ratio]', '体质指数', {
        valueQuantity: quantity(clamp(bmiValue, 12, 60), 'kg/m2'),
        derivedFrom: [ref('Observation', weight.id!)],
      })
    );
  }
  if (measured.glucose !== undefined) {
    members.push(
      observation('glu', 'dhc-fasting-glucose', '14770-2', 'Fasting glucose [Moles/volume] in Capillary blood by Glucometer', '空腹末梢血糖', {
        category: [concept(systems.observationCategory, 'laboratory', 'Laboratory')],
        valueQuantity: quantity(measured.glucose, 'mmol/L'),
      })
    );
  }
  const reasons = [hypertension, diabetes].filter((c) => c !== undefined);
  const encounterResource: Encounter = {
    resourceType: 'Encounter',
    id: encounterId,
    status: 'finished',
    class: { system: systems.actCode, code: 'AMB', display: 'ambulatory' },
    type: [{ text: twoWeekFollowUp ? '慢病随访（2周内复诊）' : '慢病季度随访' }],
    subject,
    participant: [{ individual: doctor }, { individual: nurse }],
    period: { start: localDateTime(start), end: localDateTime(start + rng.int(12, 30) * minute) },
    reasonReference: reasons.map((c) => ref('Condition', c.id, c.display)),
    serviceProvider: ref('Organization', clinic.id, clinic.name),
  };
  const panels: Observation[] = reasons.map((c) => {
    const hasMember = members
      .filter((m) => c.kind === 'diabetes' || !m.id!.endsWith('-glu'))
      .map((m) => ref('Observation', m.id!));
    return {
      resourceType: 'Observation',
      id: `${encounterId}-${c.kind === 'hypertension' ? 'htn' : 't2dm'}`,
      meta: profileMeta('dhc-follow-up-panel'),
      status: 'final',
      code: concept(
        systems.followUpVisitType,
        c.kind === 'hypertension' ? 'hypertension-follow-up' : 'type-2-diabetes-follow-up',
        c.kind === 'hypertension' ? 'Hypertension follow-up visit' : 'Type 2 diabetes follow-up visit',
        c.kind === 'hypertension' ? '高血压患者随访' : '2型糖尿病患者随访'
      ),
      subject,
      focus: [ref('Condition', c.id)],
      encounter,
      effectiveDateTime: localDateTime(start + 15 * minute),
      performer: [doctor],
      hasMember,
    };
  });
  return [encounterResource, ...members, ...panels];
}
