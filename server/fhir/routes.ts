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
import { validate, validateOperation } from './operations/validate';
import { read } from './read';
import type { Interaction } from './request';
import { search } from './search';
import { conditionalUpdate, update } from './update';
import { vread } from './vread';

type TypeInteraction = CapabilityStatementRestResourceInteraction['code'];
type SystemInteraction = CapabilityStatementRestInteraction['code'];

type Capability = { level: 'type'; code: TypeInteraction } | { level: 'system'; code: SystemInteraction };

export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Path segments below the base: literals, or ':type', ':id', ':vid', ':searchType'. */
  pattern: string[];
  /** What the route provides, for the CapabilityStatement; omitted for routes that are not interactions. */
  capability?: Capability | Capability[];
  /** The $operation the route provides, for the CapabilityStatement of the types it applies to. */
  operation?: RouteOperation;
  handler: Interaction;
}

export interface RouteOperation {
  /** The types the operation is defined on; '*' for every resource type. */
  resourceTypes: string[] | '*';
  name: string;
  definition: string;
}

export const routes: Route[] = [
  {
    method: 'POST',
    pattern: [],
    capability: [
      { level: 'system', code: 'transaction' },
      { level: 'system', code: 'batch' },
    ],
    // Called through a closure: the bundle modules import the dispatcher, which imports this table.
    handler: (request, params, context) => processBundle(request, params, context),
  },
  { method: 'GET', pattern: ['_history'], capability: { level: 'system', code: 'history-system' }, handler: history },
  { method: 'GET', pattern: [':type'], capability: { level: 'type', code: 'search-type' }, handler: search },
  { method: 'POST', pattern: [':type', '_search'], handler: search },
  { method: 'POST', pattern: [':type'], capability: { level: 'type', code: 'create' }, handler: create },
  // Conditional update and delete (the CapabilityStatement says so in its conditional* flags).
  { method: 'PUT', pattern: [':type'], handler: conditionalUpdate },
  { method: 'DELETE', pattern: [':type'], handler: conditionalDelete },
  { method: 'PATCH', pattern: [':type'], handler: conditionalPatch },
  { method: 'GET', pattern: [':type', '_history'], capability: { level: 'type', code: 'history-type' }, handler: history },
  { method: 'GET', pattern: [':type', ':id'], capability: { level: 'type', code: 'read' }, handler: read },
  { method: 'PUT', pattern: [':type', ':id'], capability: { level: 'type', code: 'update' }, handler: update },
  { method: 'PATCH', pattern: [':type', ':id'], capability: { level: 'type', code: 'patch' }, handler: patch },
  { method: 'DELETE', pattern: [':type', ':id'], capability: { level: 'type', code: 'delete' }, handler: deleteResource },
  {
    method: 'GET',
    pattern: [':type', ':id', '_history'],
    capability: { level: 'type', code: 'history-instance' },
    handler: history,
  },
  // Compartment search: Patient/123/Observation (the capability is search-type on the searched type).
  { method: 'GET', pattern: [':type', ':id', ':searchType'], handler: search },
  { method: 'GET', pattern: [':type', ':id', '$everything'], operation: patientEverythingOperation, handler: patientEverything },
  {
    method: 'GET',
    pattern: [':type', ':id', '_history', ':vid'],
    capability: { level: 'type', code: 'vread' },
    handler: vread,
  },
  // $validate on every type, and on a stored resource.
  { method: 'POST', pattern: [':type', '$validate'], operation: validateOperation, handler: validate },
  { method: 'POST', pattern: [':type', ':id', '$validate'], operation: validateOperation, handler: validate },
  { method: 'GET', pattern: [':type', ':id', '$validate'], operation: validateOperation, handler: validate },
  // ValueSet $expand and $validate-code, CodeSystem $lookup, $validate-code and $subsumes, ConceptMap $translate.
  ...terminologyRoutes,
];
