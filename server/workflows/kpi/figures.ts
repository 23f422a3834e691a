// The figures of an indicator from the store's cohort rows (one per patient under management): which
// patients are in the numerator, tallied for the whole scope and per stratum (district, clinic).
// The rows come from the store's aggregation; only this per-patient verdict is computed here.
import type { CohortQuery, CohortRow, InstantPeriod } from '../../store/cohort-port';
import {
  bloodPressure,
  bloodPressureOnTarget,
  diseasePopulation,
  fastingGlucose,
  followUps,
  followUpsPerYear,
  glucoseOnTarget,
  type Disease,
  type Indicator,
} from './indicators';

/** Whom the evaluation covers: every patient (the network), those managed by some organizations or followed by some practitioners, or a Group's members. */
export interface PatientScope {
  within?: CohortQuery['within'];
  patients?: string[];
}

const yearMs = 365.25 * 86_400_000;

/** The names a cohort row gives the figures of its `slot`-th period (one request serves a report and its previous period). */
export const followUpsOf = (slot: number): string => `followUps${slot}`;
export const controlOf = (slot: number): string => `control${slot}`;

/**
 * One cohort request per disease serves all its indicators over every period asked: follow-ups counted
 * and the latest control value read per period, from one read of each source in the store.
 */
export function diseaseQuery(disease: Disease, periods: readonly InstantPeriod[], scope: PatientScope): CohortQuery {
  const control = disease === 'hypertension' ? bloodPressure : fastingGlucose;
  return {
    population: diseasePopulation(disease),
    ...(scope.within ? { within: scope.within } : {}),
    ...(scope.patients ? { patients: scope.patients } : {}),
    groupParam: 'organization',
    birthDateParam: 'birthdate',
    counts: periods.map((period, slot) => ({ name: followUpsOf(slot), source: followUps(disease), dateParam: 'date', period })),
    latest: periods.map((period, slot) => ({ name: controlOf(slot), source: control.source, dateParam: 'date', period, values: control.values })),
  };
}

/** Follow-ups the rule asks for in the period: 4 a year, in proportion for another length (at least 1). */
export function requiredFollowUps(period: InstantPeriod): number {
  return Math.max(1, Math.round((followUpsPerYear * (period.high - period.low)) / yearMs));
}

/** Whole years between a birth date and an instant (both ms). */
export function ageAt(birthDate: number, at: number): number {
  const born = new Date(birthDate);
  const now = new Date(at);
  const birthdayPassed =
    now.getUTCMonth() > born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() >= born.getUTCDate());
  return now.getUTCFullYear() - born.getUTCFullYear() - (birthdayPassed ? 0 : 1);
}

/** Whether a patient under management counts in the indicator's numerator for the period of `slot` (every row is in its denominator). */
export function inNumerator(indicator: Indicator, row: CohortRow, period: InstantPeriod, slot: number): boolean {
  switch (indicator.kind) {
    case 'under-management':
      return true;
    case 'standardized-management':
      return (row.counts[followUpsOf(slot)] ?? 0) >= requiredFollowUps(period);
    case 'control': {
      const latest = row.latest[controlOf(slot)];
      if (!latest) {
        return false;
      }
      if (indicator.disease === 'diabetes') {
        return latest.values.glucose !== undefined && glucoseOnTarget(latest.values.glucose);
      }
      const { systolic, diastolic } = latest.values;
      // Without a birth date the stricter target of the under-65s applies.
      const age = row.birthDate === undefined ? 0 : ageAt(row.birthDate, period.high - 1);
      return systolic !== undefined && diastolic !== undefined && bloodPressureOnTarget(age, systolic, diastolic);
    }
  }
}

export interface Tally {
  /** Patients under management (the initial population and denominator). */
  denominator: number;
  numerator: number;
}

export interface Figures {
  total: Tally;
  /** By the managing organization's id ('' for patients without one). */
  byClinic: Map<string, Tally>;
  /** By the managing organization's district ('' where unknown). */
  byDistrict: Map<string, Tally>;
  /** Patient ids, for subject lists. */
  denominatorIds: string[];
  numeratorIds: string[];
}

/** The figures of the period the rows hold in `slot`. */
export function tallyFigures(indicator: Indicator, rows: CohortRow[], period: InstantPeriod, slot: number, districtOf: (organizationId: string) => string | undefined): Figures {
  const figures: Figures = { total: { denominator: 0, numerator: 0 }, byClinic: new Map(), byDistrict: new Map(), denominatorIds: [], numeratorIds: [] };
  const add = (map: Map<string, Tally>, key: string, numerator: boolean): void => {
    const tally = map.get(key) ?? { denominator: 0, numerator: 0 };
    tally.denominator++;
    tally.numerator += numerator ? 1 : 0;
    map.set(key, tally);
  };
  for (const row of rows) {
    const numerator = inNumerator(indicator, row, period, slot);
    figures.total.denominator++;
    figures.denominatorIds.push(row.patientId);
    if (numerator) {
      figures.total.numerator++;
      figures.numeratorIds.push(row.patientId);
    }
    add(figures.byClinic, row.group ?? '', numerator);
    add(figures.byDistrict, (row.group && districtOf(row.group)) ?? '', numerator);
  }
  return figures;
}

/** The numerator over the denominator; undefined for an empty denominator. */
export function rate(tally: Tally): number | undefined {
  return tally.denominator ? tally.numerator / tally.denominator : undefined;
}

/**
 * The period before: as many whole calendar months back when the period is whole months (a year before a
 * year, so 2024 before 2025 whatever the leap days), otherwise the same length back.
 */
export function previousPeriod(period: InstantPeriod): InstantPeriod {
  const start = new Date(period.low);
  const end = new Date(period.high);
  const monthAligned = (d: Date): boolean => d.getUTCDate() === 1 && d.getUTCHours() === 0 && d.getUTCMinutes() === 0 && d.getUTCSeconds() === 0 && d.getUTCMilliseconds() === 0;
  if (monthAligned(start) && monthAligned(end)) {
    const months = (end.getUTCFullYear() - start.getUTCFullYear()) * 12 + end.getUTCMonth() - start.getUTCMonth();
    return { low: Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - months, 1), high: period.low };
  }
  return { low: period.low - (period.high - period.low), high: period.low };
}
