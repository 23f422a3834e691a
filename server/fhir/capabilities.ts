// capabilities: GET [base]/metadata (https://hl7.org/fhir/R4/http.html#capabilities). Generated from
// the route table and the supported search parameters, never written by hand.
import type {
  StructureDefinition,
  CapabilityStatement,
  CapabilityStatementRestResource,
  CapabilityStatementRestResourceInteraction,
  CapabilityStatementRest,
  CapabilityStatementRestInteraction,
} from '@medplum/fhirtypes';
import { createHash } from 'node:crypto';
import type { SearchParameterRegistry } from '../search/indexing/registry';
import { parseSearch, storeSearchParameters } from '../search/parse-search';
import type { TransactionalOperations } from '../store/port';
import type { FhirContext, Interaction, InteractionSettings } from './request';
import { isResourceType, resourceTypes } from './resource-definitions';
import { routes } from './routes';

const software = { name: 'DHC FHIR Server', version: '0.1.0' };
const startedAt = new Date().toISOString();
/** Built once per registry, base URL and settings: it only changes when what is implemented changes. */
const cache = new WeakMap<SearchParameterRegistry, Map<string, CapabilityStatement>>();
/**
 * Types whose resources, once written, are never changed or deleted through the API: AuditEvents are
 * records (the write rule audit-records refuses it for everyone; docs/audit.md), so they do not list
 * update, patch or delete. A PUT of a new id is still a creation (updateCreate).
 */
const recordsNeverChanged: ReadonlySet<string> = new Set(['AuditEvent']);
const changeInteractions: ReadonlySet<string> = new Set(['update', 'patch', 'delete']);

export function buildCapabilityStatement(
  baseUrl: string,
  registry: SearchParameterRegistry,
  settings: InteractionSettings
): CapabilityStatement {
  const typeInteractions: CapabilityStatementRestResourceInteraction[] = [];
  const systemInteractions: CapabilityStatementRestInteraction[] = [];
  for (const route of routes) {
    for (const capability of [route.capability ?? []].flat()) {
      if (capability.level === 'type') {
        typeInteractions.push({ code: capability.code });
      } else {
        systemInteractions.push({ code: capability.code });
      }
    }
  }
  const codes = new Set(typeInteractions.map((i) => i.code));
  const resource: CapabilityStatementRestResource[] = resourceTypes().map((type) => ({
    type: type as CapabilityStatementRestResource['type'],
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: recordsNeverChanged.has(type) ? typeInteractions.filter((i) => !changeInteractions.has(i.code)) : typeInteractions,
    versioning: 'versioned-update',
    readHistory: codes.has('vread'),
    updateCreate: codes.has('update'),
    conditionalCreate: true,
    conditionalRead: 'full-support',
    conditionalUpdate: true,
    conditionalDelete: settings.conditionalDeleteMultiple ? 'multiple' : 'single',
    searchParam: [
      ...storeSearchParameters.map((p) => ({ name: p.name, type: p.type, documentation: p.documentation })),
      // Only what a search can use (indexed, or a union of indexed ones): a parameter whose expression
      // could not be compiled is left out.
      ...registry.searchable(type).map(({ def }) => ({ name: def.code, definition: def.url, type: def.type })),
    ],
    ...operationsOf(type),
  }));
  return {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: startedAt,
    publisher: 'DHC FHIR Server project',
    kind: 'instance',
    software,
    implementation: { description: 'FHIR R4 server of the regional digital health community', url: baseUrl },
    fhirVersion: '4.0.1',
    format: ['json'],
    rest: [{ mode: 'server', ...(settings.smartSecurity ? { security: smartSecurity(baseUrl) } : {}), resource, interaction: systemInteractions, ...systemOperations() }],
  };
}

/**
 * SMART on FHIR's declaration in the CapabilityStatement: the service code and the oauth-uris extension.
 * https://hl7.org/fhir/smart-app-launch/conformance.html#using-cors
 */
function smartSecurity(baseUrl: string): CapabilityStatementRest['security'] {
  const uri = (url: string, path: string): { url: string; valueUri: string } => ({ url, valueUri: `${baseUrl}/auth/${path}` });
  return {
    cors: true,
    service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR', display: 'SMART-on-FHIR' }] }],
    description: 'SMART App Launch 2.x and SMART Backend Services; see /.well-known/smart-configuration',
    extension: [
      {
        url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
        extension: [uri('authorize', 'authorize'), uri('token', 'token'), uri('introspect', 'introspect'), uri('revoke', 'revoke')],
      },
    ],
  };
}

/** The $operations routed for a resource type, as rest.resource.operation (once each: an operation has several routes). */
function operationsOf(type: string): Pick<CapabilityStatementRestResource, 'operation'> {
  const byDefinition = new Map<string, { name: string; definition: string }>();
  for (const r of routes) {
    if (r.operation && (r.operation.resourceTypes === '*' || r.operation.resourceTypes.includes(type))) {
      byDefinition.set(r.operation.definition, { name: r.operation.name, definition: r.operation.definition });
    }
  }
  return byDefinition.size ? { operation: [...byDefinition.values()] } : {};
}

/** The $operations routed on the whole system, as rest.operation. */
function systemOperations(): Pick<CapabilityStatementRest, 'operation'> {
  const byDefinition = new Map<string, { name: string; definition: string }>();
  for (const r of routes) {
    if (r.operation?.system) {
      byDefinition.set(r.operation.definition, { name: r.operation.name, definition: r.operation.definition });
    }
  }
  return byDefinition.size ? { operation: [...byDefinition.values()] } : {};
}

interface CachedStatement {
  statement: CapabilityStatement;
  /** The compact JSON sent, built once. */
  json: string;
  etag: string;
}

/** Per core (its store), by base URL and settings; dropped when a StructureDefinition is written. */
const served = new WeakMap<TransactionalOperations, Map<string, CachedStatement>>();

/** Forgets the documents served from `store`: what they describe (the stored profiles) has changed. */
export function invalidateCapabilities(store: TransactionalOperations): void {
  served.delete(store);
}

/**
 * Served from a cache: the document is about 365 KB and took ~24 ms to build and serialize, which stalled
 * every other request when clients polled /metadata. It is rebuilt only after a StructureDefinition
 * changed (in this process), and carries an ETag so that a client can revalidate with If-None-Match.
 */
export const capabilities: Interaction = async (request, _params, context) => {
  const store = context.pipeline.dataStore;
  let byKey = served.get(store);
  if (!byKey) {
    byKey = new Map();
    served.set(store, byKey);
  }
  const key = `${context.baseUrl} ${context.settings.conditionalDeleteMultiple} ${context.settings.smartSecurity ?? false}`;
  let cached = byKey.get(key);
  if (!cached) {
    const statement = withSupportedProfiles(statementFor(context), await storedProfiles(context));
    const json = JSON.stringify(statement);
    cached = { statement, json, etag: `W/"${createHash('sha256').update(json).digest('base64url').slice(0, 22)}"` };
    // Kept only if nothing invalidated the cache while the profiles were read.
    if (served.get(store) === byKey) {
      byKey.set(key, cached);
    }
  }
  const etag = cached.etag;
  const headers = { ETag: etag };
  const noneMatch = request.headers['if-none-match'];
  if (noneMatch !== undefined && noneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === '*')) {
    return { status: 304, headers };
  }
  return { status: 200, headers, body: cached.statement, serialized: cached.json };
};

/** The statement without the stored profiles, built once per registry, base URL and settings. */
function statementFor(context: FhirContext): CapabilityStatement {
  let byBase = cache.get(context.registry);
  if (!byBase) {
    byBase = new Map();
    cache.set(context.registry, byBase);
  }
  const key = `${context.baseUrl} ${context.settings.conditionalDeleteMultiple} ${context.settings.smartSecurity ?? false}`;
  let statement = byBase.get(key);
  if (!statement) {
    statement = buildCapabilityStatement(context.baseUrl, context.registry, context.settings);
    byBase.set(key, statement);
  }
  return statement;
}

/**
 * The resource profiles stored on this server (the network's, loaded from profiles/generated, and any
 * a client wrote), by the type they constrain: writes claiming them are validated against them.
 */
async function storedProfiles(context: FhirContext): Promise<Map<string, string[]>> {
  const query = new URLSearchParams([
    ['kind', 'resource'],
    ['derivation', 'constraint'],
    ['_sort', 'url'],
  ]);
  const byType = new Map<string, string[]>();
  let cursor: string | undefined;
  do {
    const { plan } = parseSearch('StructureDefinition', query, 1000, { registry: context.registry, baseUrl: context.baseUrl, isResourceType });
    plan.total = 'none';
    plan.cursor = cursor;
    // The document is shared by every caller: it lists what is stored, not what this caller may see.
    const page = await context.pipeline.dataStore.search(plan);
    for (const { resource } of page.resources) {
      const sd = resource as StructureDefinition | undefined;
      if (sd?.url && sd.type) {
        byType.set(sd.type, [...(byType.get(sd.type) ?? []), sd.version ? `${sd.url}|${sd.version}` : sd.url]);
      }
    }
    cursor = page.nextCursor;
  } while (cursor);
  return byType;
}

function withSupportedProfiles(statement: CapabilityStatement, profiles: Map<string, string[]>): CapabilityStatement {
  if (!profiles.size) {
    return statement;
  }
  const [rest] = statement.rest ?? [];
  const resource = rest.resource?.map((r) => (profiles.has(r.type) ? { ...r, supportedProfile: profiles.get(r.type) } : r));
  return { ...statement, rest: [{ ...rest, resource }] };
}
