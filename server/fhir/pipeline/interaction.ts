// What a request asks the server to do, named with the interaction codes of the CapabilityStatement
// (https://hl7.org/fhir/R4/http.html and valueset-restful-interaction.html), plus 'search-compartment'
// and 'capabilities', so that hooks (authorization, audit) decide on one code per route, conditional and
// `_search` routes included, and never on paths.
import type { RouteParams } from '../request';

export type InteractionCode =
  | 'read'
  | 'vread'
  | 'update'
  | 'patch'
  | 'delete'
  | 'create'
  | 'search-type'
  | 'search-system'
  | 'search-compartment'
  | 'history-instance'
  | 'history-type'
  | 'history-system'
  | 'batch'
  | 'transaction'
  | 'capabilities'
  | 'operation';

export interface InteractionInfo {
  code: InteractionCode;
  /** The type read, written or searched (for a compartment search, the searched type). */
  resourceType?: string;
  id?: string;
  versionId?: string;
  /** An operation's name without the '$': 'validate', 'everything'. */
  operation?: string;
  /** A compartment search's compartment: Patient/123 of Patient/123/Observation. */
  compartment?: { resourceType: string; id: string };
  /** Conditional create, update, patch or delete: the target is found by search criteria. */
  conditional?: boolean;
}

/** Builds the interaction of a matched route from its code and the path's parameters. */
export function describeInteraction(code: InteractionCode, params: RouteParams, operation?: string): InteractionInfo {
  const info: InteractionInfo = { code };
  if (code === 'search-compartment') {
    info.resourceType = params.searchType;
    info.compartment = { resourceType: params.resourceType as string, id: params.id as string };
    return info;
  }
  if (params.resourceType !== undefined) info.resourceType = params.resourceType;
  if (params.id !== undefined) info.id = params.id;
  if (params.versionId !== undefined) info.versionId = params.versionId;
  if (operation !== undefined) info.operation = operation;
  return info;
}
