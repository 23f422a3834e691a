// The table of what this server implements: each route's method, path pattern, the CapabilityStatement
// interaction it provides, and its handler. The dispatcher and the CapabilityStatement both read it,
// so they cannot disagree.
import type {
  CapabilityStatementRestInteraction,
  CapabilityStatementRestResourceInteraction,
} from '@medplum/fhirtypes';
import { processBundle } from './bundle/bundle-endpoint';
import { create } from './create';
import { conditionalDelete, deleteResource } from './delete';
import { history } from './history';
import { conditionalPatch, patch } from './patch/patch-interaction';
import { patientEverything, patientEverythingOperation } from './operations/patient-everything';
import { terminologyRoutes } from './operations/terminology/terminology-routes';
import { kpiRoutes } from '../workflows/kpi/kpi-routes';
import { homeCareRoutes } from '../workflows/homecare/homecare-routes';
import { validate, validateOperation } from './operations/validate';
import { read } from './read';
import type { InteractionCode } from './pipeline/interaction';
import type { FhirRequest, Interaction } from './request';
import { chainRoutes } from '../audit/chain-routes';
import { search } from './search';
import { conditionalUpdate, update } from './update';
import { vread } from './vread';
import { recognitionRoutes } from '../workflows/recognition/recognition-routes';
import { pharmacyRoutes } from '../workflows/pharmacy/review-operation';

type TypeInteraction = CapabilityStatementRestResourceInteraction['code'];
type SystemInteraction = CapabilityStatementRestInteraction['code'];

type Capability = { level: 'type'; code: TypeInteraction } | { level: 'system'; code: SystemInteraction };

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path segments below the base: literals, or ':type', ':id', ':vid', ':searchType'. */
  pattern: string[];
  /** What the route does, for the pipeline's hooks; a function where the body decides (batch or transaction). */
  interaction: InteractionCode | ((request: FhirRequest) => InteractionCode);
  /** The target is found by search criteria (conditional update, patch, delete). */
  conditional?: boolean;
  /** What the route provides, for the CapabilityStatement; omitted for routes that are not interactions. */
  capability?: Capability | Capability[];
  /** The $operation the route provides, for the CapabilityStatement of the types it applies to. */
  operation?: RouteOperation;
  handler: Interaction;
}

export interface RouteOperation {
  /** The types the operation is defined on; '*' for every resource type. */
  resourceTypes: string[] | '*';
  /** Also (or only, with no types) defined on the whole system: listed in rest.operation. */
  system?: boolean;
  name: string;
  definition: string;
}

/** POST [base] is a batch or a transaction, as the Bundle says (anything else is refused as a batch). */
function bundleInteraction(request: FhirRequest): InteractionCode {
  const body = request.body as { type?: unknown } | undefined;
  return typeof body === 'object' && body !== null && body.type === 'transaction' ? 'transaction' : 'batch';
}

export const routes: Route[] = [
  {
    method: 'POST',
    pattern: [],
    interaction: bundleInteraction,
    capability: [
      { level: 'system', code: 'transaction' },
      { level: 'system', code: 'batch' },
    ],
    // Called through a closure: the bundle modules import the dispatcher, which imports this table.
    handler: (request, params, context) => processBundle(request, params, context),
  },
  { method: 'GET', pattern: ['_history'], interaction: 'history-system', capability: { level: 'system', code: 'history-system' }, handler: history },
  { method: 'GET', pattern: [':type'], interaction: 'search-type', capability: { level: 'type', code: 'search-type' }, handler: search },
  { method: 'POST', pattern: [':type', '_search'], interaction: 'search-type', handler: search },
  { method: 'POST', pattern: [':type'], interaction: 'create', capability: { level: 'type', code: 'create' }, handler: create },
  // Conditional update and delete (the CapabilityStatement says so in its conditional* flags).
  { method: 'PUT', pattern: [':type'], interaction: 'update', conditional: true, handler: conditionalUpdate },
  { method: 'DELETE', pattern: [':type'], interaction: 'delete', conditional: true, handler: conditionalDelete },
  { method: 'PATCH', pattern: [':type'], interaction: 'patch', conditional: true, handler: conditionalPatch },
  { method: 'GET', pattern: [':type', '_history'], interaction: 'history-type', capability: { level: 'type', code: 'history-type' }, handler: history },
  { method: 'GET', pattern: [':type', ':id'], interaction: 'read', capability: { level: 'type', code: 'read' }, handler: read },
  { method: 'PUT', pattern: [':type', ':id'], interaction: 'update', capability: { level: 'type', code: 'update' }, handler: update },
  { method: 'PATCH', pattern: [':type', ':id'], interaction: 'patch', capability: { level: 'type', code: 'patch' }, handler: patch },
  { method: 'DELETE', pattern: [':type', ':id'], interaction: 'delete', capability: { level: 'type', code: 'delete' }, handler: deleteResource },
  {
    method: 'GET',
    pattern: [':type', ':id', '_history'],
    interaction: 'history-instance',
    capability: { level: 'type', code: 'history-instance' },
    handler: history,
  },
  // Compartment search: Patient/123/Observation (the capability is search-type on the searched type).
  { method: 'GET', pattern: [':type', ':id', ':searchType'], interaction: 'search-compartment', handler: search },
  { method: 'GET', pattern: [':type', ':id', '$everything'], interaction: 'operation', operation: patientEverythingOperation, handler: patientEverything },
  {
    method: 'GET',
    pattern: [':type', ':id', '_history', ':vid'],
    interaction: 'vread',
    capability: { level: 'type', code: 'vread' },
    handler: vread,
  },
  // $validate on every type, and on a stored resource.
  { method: 'POST', pattern: [':type', '$validate'], interaction: 'operation', operation: validateOperation, handler: validate },
  { method: 'POST', pattern: [':type', ':id', '$validate'], interaction: 'operation', operation: validateOperation, handler: validate },
  { method: 'GET', pattern: [':type', ':id', '$validate'], interaction: 'operation', operation: validateOperation, handler: validate },
  // ValueSet $expand and $validate-code, CodeSystem $lookup, $validate-code and $subsumes, ConceptMap $translate.
  ...terminologyRoutes,
  // $verify-history (instance and system) and $anchor: tamper-evident history (docs/audit.md).
  ...chainRoutes,
  ...kpiRoutes,
  // Observation and DiagnosticReport $recognize: mutual recognition of laboratory results.
  ...recognitionRoutes,
  ...pharmacyRoutes,
  ...homeCareRoutes,
];
