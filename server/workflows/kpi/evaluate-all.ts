// $evaluate-all: GET [base]/Measure/$evaluate-all, this server's dashboard operation: every indicator's
// MeasureReport (summary) for the period and the same scope parameters as $evaluate-measure, each with
// the previous period's report and the change against it (rates in percentage points, counts in patients).
import type { Measure, Parameters, ParametersParameter } from '@medplum/fhirtypes';
import type { Interaction } from '../../fhir/request';
import type { RouteOperation } from '../../fhir/routes';
import { OperationInput } from '../../fhir/operations/terminology/operation-parameters';
import { evaluationScope } from './evaluation-scope';
import { FigureEvaluator, measurementPeriod } from './evaluation';
import { previousPeriod, rate } from './figures';
import { indicators, measureBase } from './indicators';
import { measureReport, round } from './measure-report';

export const evaluateAllOperation: RouteOperation = {
  resourceTypes: ['Measure'],
  name: 'evaluate-all',
  definition: 'https://fhir.dhc.example/OperationDefinition/Measure-evaluate-all',
};

const known = ['periodStart', 'periodEnd', 'subject', 'district'];

export const evaluateAll: Interaction = async (request, _params, context) => {
  const input = OperationInput.read(request, '$evaluate-all', known);
  const period = measurementPeriod(request.query);
  const before = previousPeriod(period);
  const scope = await evaluationScope(input.string('subject'), input.string('district'), context);
  const evaluator = new FigureEvaluator(scope, context, [period, before]);
  const parameter: ParametersParameter[] = [];
  for (const indicator of indicators) {
    const version = await context.store.readCurrent('Measure', indicator.measureId);
    if (!version?.resource || version.deleted) {
      continue;
    }
    const measure = version.resource as Measure;
    if (measure.url !== `${measureBase}${indicator.measureId}`) {
      continue;
    }
    const now = await evaluator.figures(indicator, period);
    const then = await evaluator.figures(indicator, before);
    const part: ParametersParameter[] = [
      { name: 'report', resource: measureReport(measure, indicator, now, period, scope, 'summary') },
      { name: 'previous', resource: measureReport(measure, indicator, then, before, scope, 'summary') },
    ];
    const [rateNow, rateThen] = [rate(now.total), rate(then.total)];
    if (indicator.kind === 'under-management') {
      part.push({ name: 'change', valueDecimal: now.total.denominator - then.total.denominator });
    } else if (rateNow !== undefined && rateThen !== undefined) {
      // Percentage points: the difference of the two rates in percent.
      part.push({ name: 'change', valueDecimal: round((rateNow - rateThen) * 100, 2) });
    }
    parameter.push({ name: 'measure', part });
  }
  const body: Parameters = { resourceType: 'Parameters', parameter };
  return { status: 200, body };
};
