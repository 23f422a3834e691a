// A MeasureReport of one indicator's figures (https://hl7.org/fhir/R4/measurereport.html): the group's
// populations and score, stratified by district and by clinic (the patient's managing organization);
// with reportType subject-list, each population's patients as a contained List.
import type { List, Measure, MeasureReport, MeasureReportGroup, MeasureReportGroupPopulation, MeasureReportGroupStratifierStratum } from '@medplum/fhirtypes';
import type { InstantPeriod } from '../../store/cohort-port';
import type { EvaluationScope } from './evaluation-scope';
import { rate, type Figures, type Tally } from './figures';
import type { Indicator } from './indicators';

export type ReportType = 'summary' | 'subject-list';

const populationSystem = 'http://terminology.hl7.org/CodeSystem/measure-population';

export function measureReport(
  measure: Measure,
  indicator: Indicator,
  figures: Figures,
  period: InstantPeriod,
  scope: EvaluationScope,
  reportType: ReportType
): MeasureReport {
  const subjectList = reportType === 'subject-list';
  const contained: List[] = [];
  if (subjectList) {
    contained.push(patientList('denominator', figures.denominatorIds));
    if (indicator.kind !== 'under-management') {
      contained.push(patientList('numerator', figures.numeratorIds));
    }
  }
  const group: MeasureReportGroup = {
    population: populations(indicator, figures.total, subjectList),
    ...score(indicator, figures.total),
    stratifier: [
      { code: [{ text: 'district' }], stratum: strata(indicator, figures.byDistrict, (key) => key || 'unknown') },
      { code: [{ text: 'clinic' }], stratum: strata(indicator, figures.byClinic, (key) => (key ? `Organization/${key}` : 'unknown')) },
    ],
  };
  return {
    resourceType: 'MeasureReport',
    ...(contained.length ? { contained } : {}),
    status: 'complete',
    type: subjectList ? 'subject-list' : 'summary',
    measure: measure.url ?? '',
    date: new Date().toISOString(),
    // R4's MeasureReport.subject may be a Group (never an Organization or a CareTeam: those are the reporter).
    ...(scope.subject?.startsWith('Group/') ? { subject: { reference: scope.subject } } : {}),
    ...(scope.reporter ? { reporter: scope.reporter } : {}),
    period: { start: new Date(period.low).toISOString(), end: new Date(period.high - 1).toISOString() },
    ...(measure.improvementNotation ? { improvementNotation: measure.improvementNotation } : {}),
    group: [group],
  };
}

function populations(indicator: Indicator, tally: Tally, subjectList: boolean): MeasureReportGroupPopulation[] {
  const population = (code: string, count: number, list?: string): MeasureReportGroupPopulation => ({
    code: { coding: [{ system: populationSystem, code }] },
    count,
    ...(list ? { subjectResults: { reference: `#${list}` } } : {}),
  });
  const list = (name: string): string | undefined => (subjectList ? name : undefined);
  if (indicator.kind === 'under-management') {
    return [population('initial-population', tally.denominator, list('denominator'))];
  }
  return [
    population('initial-population', tally.denominator, list('denominator')),
    population('denominator', tally.denominator, list('denominator')),
    population('numerator', tally.numerator, list('numerator')),
  ];
}

/** A proportion's score is numerator over denominator, a fraction (https://hl7.org/fhir/R4/measure-definitions.html#Measure.scoring). */
function score(indicator: Indicator, tally: Tally): Pick<MeasureReportGroup, 'measureScore'> {
  const value = rate(tally);
  return indicator.kind === 'under-management' || value === undefined ? {} : { measureScore: { value: round(value, 6), unit: '1', system: 'http://unitsofmeasure.org', code: '1' } };
}

function strata(indicator: Indicator, tallies: Map<string, Tally>, label: (key: string) => string): MeasureReportGroupStratifierStratum[] {
  return [...tallies.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, tally]) => ({
      value: { text: label(key) },
      population: populations(indicator, tally, false).map(({ code, count }) => ({ code, count })),
      ...score(indicator, tally),
    }));
}

function patientList(id: string, patientIds: string[]): List {
  return { resourceType: 'List', id, status: 'current', mode: 'snapshot', entry: patientIds.map((pid) => ({ item: { reference: `Patient/${pid}` } })) };
}

export function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}
