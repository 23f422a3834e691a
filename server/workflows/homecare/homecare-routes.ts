// The home-care workflow's routes, spread into the server's route table (server/fhir/routes.ts).
import type { Route } from '../../fhir/routes';
import { dispatch, dispatchOperation } from './dispatch-operation';

export const homeCareRoutes: Route[] = [
  { method: 'POST', pattern: [':type', ':id', '$dispatch'], interaction: 'operation', operation: dispatchOperation, handler: dispatch },
];
