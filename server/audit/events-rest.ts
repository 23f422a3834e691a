// The AuditEvents of one FHIR interaction (a request, or one batch or transaction entry), after BALP's
// RESTful patterns (https://profiles.ihe.net/ITI/BALP/content.html#3573-restful-activities): type `rest`,
// the restful-interaction as subtype, the action, the outcome, the caller's agents, the resources touched
// as entities, a search's raw query base64-encoded in entity.query, and the patient as BALP's patient
// entity. As BALP's PatientQuery asks, a result about several patients gives one event per patient, so
// that a patient reading the events about them never learns of another patient.
import type { AuditEvent, AuditEventAgent, AuditEventEntity, Coding, Resource } from '@medplum/fhirtypes';
import { referencedPatients } from '../auth/enforcement';
import type { HookCall, HookResult } from '../fhir/pipeline/hooks';
import type { Caller } from '../fhir/pipeline/caller';
import type { InteractionCode } from '../fhir/pipeline/interaction';
import { rememberTemplateText } from './event-text';
import { auditEventId, callerAgents, outcomeDescription, outcomeOf, serverIdentity } from './events-shared';

const entityTypes = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const objectRoles = 'http://terminology.hl7.org/CodeSystem/object-role';
const person: Coding = { system: entityTypes, code: '1', display: 'Person' };
const systemObject: Coding = { system: entityTypes, code: '2', display: 'System Object' };
const patientRole: Coding = { system: objectRoles, code: '1', display: 'Patient' };
const domainResource: Coding = { system: objectRoles, code: '4', display: 'Domain Resource' };
const queryRole: Coding = { system: objectRoles, code: '24', display: 'Query' };

export const restType: Coding = { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'Restful Operation' };
const restfulInteraction = 'http://hl7.org/fhir/restful-interaction';

/** BALP's actions: reads R, queries (searches, histories of many resources, operations, Bundles) E. */
const actions: Record<InteractionCode, NonNullable<AuditEvent['action']>> = {
  read: 'R', vread: 'R', 'history-instance': 'R', capabilities: 'R',
  create: 'C', update: 'U', patch: 'U', delete: 'D',
  'search-type': 'E', 'search-system': 'E', 'search-compartment': 'E', 'history-type': 'E', 'history-system': 'E',
  operation: 'E', batch: 'E', transaction: 'E',
};

/** Interactions whose request is a query, recorded as BALP's query entity. */
const queries = new Set<InteractionCode>(['search-type', 'search-system', 'search-compartment', 'history-type', 'history-system']);

/** The restful-interaction code (R4 has no search-compartment: it is a `search`). */
function subtypes(code: InteractionCode, operation: string | undefined): Coding[] {
  const interaction = code === 'search-compartment' ? 'search' : code;
  const found: Coding[] = [{ system: restfulInteraction, code: interaction, display: interaction }];
  if (operation) {
    found.push({ code: `$${operation}`, display: `operation $${operation}` });
  }
  return found;
}

/** The AuditEvents of one interaction; `recorded` is when it ended. */
export function restEvents(call: HookCall, result: HookResult, baseUrl: string, recorded = new Date()): AuditEvent[] {
  const { interaction, caller, request, entry } = call;
  const status = result.response?.status ?? result.error?.status ?? 500;
  const target = targetOf(call, result);
  const raw = queries.has(interaction.code) || interaction.conditional ? `${request.path}${request.query.size ? `?${request.query.toString()}` : ''}` : undefined;
  const parts: RestEventParts = {
    code: interaction.code,
    operation: interaction.operation,
    outcome: outcomeOf(status),
    outcomeDesc: status >= 400 ? outcomeDescription(status, result.error?.outcome.issue[0]?.code) : undefined,
    recorded: recorded.toISOString(),
    target,
    query: raw === undefined ? undefined : Buffer.from(raw, 'utf8').toString('base64'),
    entry: entry && { bundleType: entry.bundleType, index: String(entry.index) },
  };
  const agents = callerAgents(caller, baseUrl);
  const source = serverIdentity(baseUrl);
  const patients = patientsOf(call, result.resources);
  const targetPatient = target?.patient ? target.reference.split('/')[1] : undefined;
  // One event, with the patient entity when there is one; one per patient when the result concerns several.
  const each = patients.length ? patients.map((id) => (id === targetPatient ? undefined : id)) : [undefined];
  return each.map((patient) => {
    const event = restEvent(parts, agents, source, auditEventId(), patient);
    withTemplateText(event, parts, caller, patient, baseUrl);
    return event;
  });
}

/**
 * What one interaction's events are made of, apart from the caller's agents, the source, the id and the
 * patient entity. What is text here (the time, the target's reference, the query, the entry's index) is
 * a value a template splices (event-text.ts); the rest chooses the template.
 */
export interface RestEventParts {
  code: InteractionCode;
  operation: string | undefined;
  outcome: NonNullable<AuditEvent['outcome']>;
  outcomeDesc: string | undefined;
  recorded: string;
  /** The one resource an instance interaction touched, and whether it is a Patient. */
  target: { reference: string; patient: boolean } | undefined;
  /** A query's raw text, base64-encoded. */
  query: string | undefined;
  entry: { bundleType: string; index: string } | undefined;
}

/**
 * One event: the members in the order the store keeps them (store/versioning.ts, withMeta, puts meta after
 * the id: the audit writer then stores the text it is sent with only `meta` put in, audit-event-table.ts).
 * The agents and the source are shared by the events of one interaction, as they are the same.
 */
export function restEvent(parts: RestEventParts, agent: AuditEventAgent[], source: NonNullable<AuditEvent['source']>, id: string, patient: string | undefined): AuditEvent {
  const entities: AuditEventEntity[] = [];
  if (parts.target) {
    const what = { reference: parts.target.reference };
    entities.push(parts.target.patient ? { what, type: person, role: patientRole } : { what, type: systemObject, role: domainResource });
  }
  if (parts.query !== undefined) {
    entities.push({ type: systemObject, role: queryRole, query: parts.query });
  }
  if (parts.entry) {
    entities.push({ type: systemObject, description: `${parts.entry.bundleType} entry`, detail: [{ type: 'Bundle.entry', valueString: parts.entry.index }] });
  }
  if (patient !== undefined) {
    entities.push({ what: { reference: `Patient/${patient}` }, type: person, role: patientRole });
  }
  return {
    resourceType: 'AuditEvent',
    id,
    type: restType,
    subtype: subtypes(parts.code, parts.operation),
    action: actions[parts.code],
    recorded: parts.recorded,
    outcome: parts.outcome,
    ...(parts.outcomeDesc !== undefined ? { outcomeDesc: parts.outcomeDesc } : {}),
    agent,
    source,
    ...(entities.length ? { entity: entities } : {}),
  };
}

/** A user reference's type, which a template holds (its id is a value): `PractitionerRole/` and the like. */
const userType = /^[A-Za-z]+\//;

/**
 * The event's text from a template (event-text.ts) for the usual events: successes of any interaction but
 * operations, by any caller. Failures and operations are rarer and go as JSON.stringify writes them.
 * The key names all that shapes the text; the values are spliced in the order below.
 */
function withTemplateText(event: AuditEvent, parts: RestEventParts, caller: Caller, patient: string | undefined, baseUrl: string): void {
  if (parts.operation !== undefined || parts.outcomeDesc !== undefined) {
    return;
  }
  const type = caller.user ? userType.exec(caller.user)?.[0] : '';
  if (type === undefined) {
    return;
  }
  const key = [
    baseUrl,
    parts.code,
    parts.outcome,
    caller.user ? type : '-',
    caller.account ? 'a' : '',
    caller.clientId ? 'c' : '',
    caller.sourceAddress ? 'n' : '',
    parts.target ? (parts.target.patient ? 'P' : 'R') : '',
    parts.query !== undefined ? 'q' : '',
    parts.entry ? parts.entry.bundleType : '',
    patient !== undefined ? 'p' : '',
  ].join('|');
  const values = [
    parts.recorded,
    caller.user?.slice(type.length),
    caller.account,
    caller.clientId,
    caller.sourceAddress,
    parts.target?.reference,
    parts.query,
    parts.entry?.index,
    patient,
  ];
  rememberTemplateText(event, key, values, (value) => {
    const markerCaller: Caller = {
      kind: caller.kind,
      ...(caller.user ? { user: `${type}${value(1)}` } : {}),
      ...(caller.account ? { account: value(2) } : {}),
      ...(caller.clientId ? { clientId: value(3) } : {}),
      ...(caller.sourceAddress ? { sourceAddress: value(4) } : {}),
      organizations: [],
      roles: [],
      scopes: [],
    };
    const markerParts: RestEventParts = {
      ...parts,
      recorded: value(0),
      target: parts.target && { reference: value(5), patient: parts.target.patient },
      query: parts.query === undefined ? undefined : value(6),
      entry: parts.entry && { bundleType: parts.entry.bundleType, index: value(7) },
    };
    return restEvent(markerParts, callerAgents(markerCaller, baseUrl), serverIdentity(baseUrl), 'x', patient === undefined ? undefined : value(8));
  });
}

/** The one resource an instance interaction touched: the returned resource, or the one the path names. */
function targetOf({ interaction }: HookCall, result: HookResult): RestEventParts['target'] {
  const body = result.response?.body;
  const returned = body && body.resourceType !== 'Bundle' && body.resourceType !== 'OperationOutcome' && body.resourceType !== 'Parameters' ? body : undefined;
  const type = returned?.resourceType ?? interaction.resourceType;
  const id = returned?.id ?? interaction.id;
  if (!type || !id || queries.has(interaction.code)) {
    return undefined;
  }
  const version = returned?.meta?.versionId ?? interaction.versionId;
  return { reference: `${type}/${id}${version ? `/_history/${version}` : ''}`, patient: type === 'Patient' };
}

/** The patients an interaction concerned: named in its path, or the subjects of what it returned. */
function patientsOf({ interaction, request }: HookCall, resources: readonly Resource[]): string[] {
  const found = new Set<string>();
  // A write's patients are known from what was sent, even when it was refused or nothing is returned.
  const sent = request.body as Resource | undefined;
  if ((interaction.code === 'create' || interaction.code === 'update') && sent?.resourceType && sent.resourceType !== 'Bundle') {
    resources = [sent, ...resources];
  }
  if (interaction.resourceType === 'Patient' && interaction.id) {
    found.add(interaction.id);
  }
  if (interaction.compartment?.resourceType === 'Patient') {
    found.add(interaction.compartment.id);
  }
  for (const resource of resources) {
    if (resource.resourceType === 'Patient' && resource.id) {
      found.add(resource.id);
    } else if (resource.resourceType !== 'AuditEvent') {
      referencedPatients(resource).forEach((id) => found.add(id));
    }
  }
  return [...found];
}
