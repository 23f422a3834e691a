// $evaluate-measure: GET [base]/Measure/[id]/$evaluate-measure (https://hl7.org/fhir/R4/measure-operation-evaluate-measure.html)
// with periodStart, periodEnd, reportType (summary or subject-list), subject (a clinic's Organization or
// a family-doctor team's CareTeam) and this server's `district`; the network when neither is given.
import type { Interaction } from '../../fhir/request';
import type { RouteOperation } from '../../fhir/routes';
import { OperationInput } from '../../fhir/operations/terminology/operation-parameters';
import { badRequest } from '../../outcomes';
import { evaluationScope } from './evaluation-scope';
import { FigureEvaluator, measurementPeriod, readMeasure } from './evaluation';
import { measureReport, type ReportType } from './measure-report';

export const evaluateMeasureOperation: RouteOperation = {
  resourceTypes: ['Measure'],
  name: 'evaluate-measure',
  definition: 'https://fhir.dhc.example/OperationDefinition/Measure-evaluate-measure',
};

const known = ['periodStart', 'periodEnd', 'reportType', 'subject', 'district'];

export const evaluateMeasure: Interaction = async (request, { id }, context) => {
  const input = OperationInput.read(request, '$evaluate-measure', known);
  const period = measurementPeriod(request.query);
  const reportType = parseReportType(input.string('reportType'));
  const { measure, indicator } = await readMeasure(id as string, context);
  const scope = await evaluationScope(input.string('subject'), input.string('district'), context);
  const figures = await new FigureEvaluator(scope, context, [period]).figures(indicator, period);
  return { status: 200, body: measureReport(measure, indicator, figures, period, scope, reportType) };
};

export function parseReportType(value: string | undefined): ReportType {
  if (value === undefined || value === 'summary' || value === 'subject-list') {
    return value ?? 'summary';
  }
  throw badRequest(`reportType: '${value}' is not supported; use summary or subject-list (individual reports are a patient's record: Patient/[id]/$everything)`, 'reportType');
}
