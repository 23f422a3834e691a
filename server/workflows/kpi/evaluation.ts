// Evaluating indicators for a period and a scope: the period parameters, and one cohort request to the
// store per disease, shared by the indicators of that disease.
import type { Measure } from '@medplum/fhirtypes';
import { FhirError, badRequest, issue, notFound } from '../../outcomes';
import type { FhirContext } from '../../fhir/request';
import { parseDateRange } from '../../search/date-value';
import type { CohortRow, InstantPeriod } from '../../store/cohort-port';
import type { EvaluationScope } from './evaluation-scope';
import { diseaseQuery, tallyFigures, type Figures } from './figures';
import { indicatorOf, type Disease, type Indicator } from './indicators';

/** periodStart and periodEnd (both required, dates or dateTimes; the end is inclusive: 2025-12-31 is the whole day). */
export function measurementPeriod(query: URLSearchParams): InstantPeriod {
  const start = query.get('periodStart');
  const end = query.get('periodEnd');
  if (!start) {
    throw badRequest('periodStart is required (e.g. 2025-01-01)', 'periodStart');
  }
  if (!end) {
    throw badRequest('periodEnd is required (e.g. 2025-12-31)', 'periodEnd');
  }
  const period = { low: parseDateRange(start, 'periodStart').low, high: parseDateRange(end, 'periodEnd').high };
  if (period.high <= period.low) {
    throw badRequest('periodEnd is before periodStart', 'periodEnd');
  }
  return period;
}

/** A stored Measure and the indicator it defines. */
export async function readMeasure(id: string, context: FhirContext): Promise<{ measure: Measure; indicator: Indicator }> {
  const version = await context.store.readCurrent('Measure', id);
  if (!version?.resource || version.deleted) {
    throw notFound(`Measure/${id} is not known`);
  }
  const measure = version.resource as Measure;
  const indicator = indicatorOf(measure.url);
  if (!indicator) {
    throw new FhirError(422, [issue('not-supported', `Measure/${id} (${measure.url ?? 'no url'}) is not one of the indicators this server computes (docs/kpi.md)`)]);
  }
  return { measure, indicator };
}

/**
 * Computes figures for a fixed set of periods (a report's, and for the dashboard the previous one too),
 * asking the store once per disease for all of them.
 */
export class FigureEvaluator {
  private readonly rows = new Map<Disease, Promise<CohortRow[]>>();

  constructor(
    private readonly scope: EvaluationScope,
    private readonly context: FhirContext,
    private readonly periods: readonly InstantPeriod[]
  ) {}

  async figures(indicator: Indicator, period: InstantPeriod): Promise<Figures> {
    const slot = this.periods.findIndex((p) => p.low === period.low && p.high === period.high);
    if (slot < 0) {
      throw new Error('FigureEvaluator: a period it was not built for');
    }
    const rows = await this.cohort(indicator.disease);
    return tallyFigures(indicator, rows, period, slot, (id) => this.scope.directory.districtOf(id));
  }

  private cohort(disease: Disease): Promise<CohortRow[]> {
    let rows = this.rows.get(disease);
    if (!rows) {
      const store = this.context.store;
      if (!store.cohort) {
        throw new FhirError(501, [issue('not-supported', 'The configured store does not aggregate cohorts')]);
      }
      rows = store.cohort(diseaseQuery(disease, this.periods, this.scope));
      this.rows.set(disease, rows);
    }
    return rows;
  }
}
