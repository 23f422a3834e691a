// The routes of the management figures and $lastn; routes.ts includes them in the one route table.
import type { Route } from '../../fhir/routes';
import { evaluateAll, evaluateAllOperation } from './evaluate-all';
import { evaluateMeasure, evaluateMeasureOperation } from './evaluate-measure';
import { lastn, lastnOperation } from './lastn';

export const kpiRoutes: Route[] = [
  { method: 'GET', pattern: ['Measure', ':id', '$evaluate-measure'], interaction: 'operation', operation: evaluateMeasureOperation, handler: evaluateMeasure },
  { method: 'GET', pattern: ['Measure', '$evaluate-all'], interaction: 'operation', operation: evaluateAllOperation, handler: evaluateAll },
  { method: 'GET', pattern: ['Observation', '$lastn'], interaction: 'operation', operation: lastnOperation, handler: lastn },
];
