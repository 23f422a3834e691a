// The tamper-evidence operations' routes, spread into the server's route table (server/fhir/routes.ts).
import type { Route } from '../fhir/routes';
import { anchorOperation, exportAnchor } from './anchor-operation';
import { verifyHistory, verifyHistoryOperation } from './verify-operation';

export const chainRoutes: Route[] = [
  { method: 'GET', pattern: ['$verify-history'], interaction: 'operation', operation: verifyHistoryOperation, handler: verifyHistory },
  { method: 'POST', pattern: ['$verify-history'], interaction: 'operation', operation: verifyHistoryOperation, handler: verifyHistory },
  { method: 'GET', pattern: [':type', ':id', '$verify-history'], interaction: 'operation', operation: verifyHistoryOperation, handler: verifyHistory },
  { method: 'POST', pattern: [':type', ':id', '$verify-history'], interaction: 'operation', operation: verifyHistoryOperation, handler: verifyHistory },
  { method: 'GET', pattern: ['$anchor'], interaction: 'operation', operation: anchorOperation, handler: exportAnchor },
];
