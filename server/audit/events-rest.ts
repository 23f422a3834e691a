// The AuditEvents of one FHIR interaction (a request, or one batch or transaction entry), after BALP's
// RESTful patterns (https://profiles.ihe.net/ITI/BALP/content.html#3573-restful-activities): type `rest`,
// the restful-interaction as subtype, the action, the outcome, the caller's agents, the resources touched
// as entities, a search's raw query base64-encoded in entity.query, and the patient as BALP's patient
// entity. As BALP's PatientQuery asks, a result about several patients gives one event per patient, so
// that a patient reading the events about them never learns of another patient.
import type { AuditEvent, AuditEventEntity, Coding, Resource } from '@medplum/fhirtypes';
import { referencedPatients } from '../auth/enforcement';
import type { HookCall, HookResult } from '../fhir/pipeline/hooks';
import type { InteractionCode } from '../fhir/pipeline/interaction';
import { auditEventId, callerAgents, outcomeDescription, outcomeOf, serverIdentity } from './events-shared';
import { markSiblings } from './prepared-event';

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
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: restType,
    subtype: subtypes(interaction.code, interaction.operation),
    action: actions[interaction.code],
    recorded: recorded.toISOString(),
    outcome: outcomeOf(status),
    ...(status >= 400 ? { outcomeDesc: outcomeDescription(status, result.error?.outcome.issue[0]?.code) } : {}),
    agent: callerAgents(caller, baseUrl),
    source: serverIdentity(baseUrl),
  };
  const entities: AuditEventEntity[] = [];
  const target = targetOf(call, result);
  if (target) {
    entities.push(target);
  }
  if (queries.has(interaction.code) || interaction.conditional) {
    const raw = `${request.path}${request.query.size ? `?${request.query.toString()}` : ''}`;
    entities.push({ type: systemObject, role: queryRole, query: Buffer.from(raw, 'utf8').toString('base64') });
  }
  if (entry) {
    entities.push({ type: systemObject, description: `${entry.bundleType} entry`, detail: [{ type: 'Bundle.entry', valueString: String(entry.index) }] });
  }
  const patients = patientsOf(call, result.resources);
  const targetPatient = target?.role?.code === '1' ? target.what?.reference?.split('/')[1] : undefined;
  const patientEntity = (id: string): AuditEventEntity[] => (id === targetPatient ? [] : [{ what: { reference: `Patient/${id}` }, type: person, role: patientRole }]);
  if (patients.length <= 1) {
    return [withId(event, withEntities([...entities, ...patients.flatMap(patientEntity)]))];
  }
  const events = patients.map((id) => withId(event, withEntities([...entities, ...patientEntity(id)])));
  // Each with its patient last, unless that patient is the target itself (then it has none of its own).
  if (!targetPatient) {
    markSiblings(events, patients);
  }
  return events;
}

/**
 * One event with a new id, placed right after resourceType as the store places it (store/versioning.ts,
 * withMeta): the audit writer then stores the text it is sent with only `meta` put in (audit-event-table.ts).
 */
function withId({ resourceType, ...rest }: AuditEvent, entities: Pick<AuditEvent, 'entity'>): AuditEvent {
  return { resourceType, id: auditEventId(), ...rest, ...entities };
}

function withEntities(entities: AuditEventEntity[]): Pick<AuditEvent, 'entity'> {
  return entities.length ? { entity: entities } : {};
}

/** The one resource an instance interaction touched: the returned resource, or the one the path names. */
function targetOf({ interaction }: HookCall, result: HookResult): AuditEventEntity | undefined {
  const body = result.response?.body;
  const returned = body && body.resourceType !== 'Bundle' && body.resourceType !== 'OperationOutcome' && body.resourceType !== 'Parameters' ? body : undefined;
  const type = returned?.resourceType ?? interaction.resourceType;
  const id = returned?.id ?? interaction.id;
  if (!type || !id || queries.has(interaction.code)) {
    return undefined;
  }
  const version = returned?.meta?.versionId ?? interaction.versionId;
  const what = { reference: `${type}/${id}${version ? `/_history/${version}` : ''}` };
  return type === 'Patient' ? { what, type: person, role: patientRole } : { what, type: systemObject, role: domainResource };
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
