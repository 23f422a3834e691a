// The AuditEvents of one FHIR interaction (a request, or one batch or transaction entry), after BALP's
// RESTful patterns (https://profiles.ihe.net/ITI/BALP/content.html#3573-restful-activities): type `rest`,
// the restful-interaction as subtype, the action, the outcome, the caller's agents, the resources touched
// as entities, a search's raw query base64-encoded in entity.query, and the patient as BALP's patient
// entity. As BALP's PatientQuery asks, a result about several patients gives one event per patient, so
// that a patient reading the events about them never learns of another patient.
import type { AuditEvent, AuditEventEntity, Coding } from '@medplum/fhirtypes';
import type { HookCall, HookResult } from '../fhir/pipeline/hooks';
import type { InteractionCode } from '../fhir/pipeline/interaction';
import { callerAgents, outcomeDescription, outcomeOf, serverIdentity } from './events-shared';
import { markSiblings } from './prepared-event';
import { restEventFacts, type RestEventFacts } from './rest-event-facts';

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
  return restEventsOf(restEventFacts(call, result, baseUrl, recorded.getTime()));
}

/**
 * The AuditEvents the facts of one interaction stand for (rest-event-facts.ts): built on the audit
 * writer's thread from what the server's thread handed over, or at once by restEvents.
 */
export function restEventsOf(facts: RestEventFacts): AuditEvent[] {
  const { code, status, patients, ids } = facts;
  const event: AuditEvent = {
    resourceType: 'AuditEvent',
    type: restType,
    subtype: subtypes(code, facts.operation),
    action: actions[code],
    recorded: new Date(facts.recorded).toISOString(),
    outcome: outcomeOf(status),
    ...(status >= 400 ? { outcomeDesc: outcomeDescription(status, facts.issue) } : {}),
    agent: callerAgents(facts.caller, facts.base),
    source: serverIdentity(facts.base),
  };
  const entities: AuditEventEntity[] = [];
  const target = targetEntity(facts.target);
  if (target) {
    entities.push(target);
  }
  if (facts.query !== undefined) {
    entities.push({ type: systemObject, role: queryRole, query: Buffer.from(facts.query, 'utf8').toString('base64') });
  }
  if (facts.entry) {
    entities.push({ type: systemObject, description: `${facts.entry.bundleType} entry`, detail: [{ type: 'Bundle.entry', valueString: String(facts.entry.index) }] });
  }
  const targetPatient = target?.role?.code === '1' ? target.what?.reference?.split('/')[1] : undefined;
  const patientEntity = (id: string): AuditEventEntity[] => (id === targetPatient ? [] : [{ what: { reference: `Patient/${id}` }, type: person, role: patientRole }]);
  if (patients.length <= 1) {
    return [withId(event, ids[0], withEntities([...entities, ...patients.flatMap(patientEntity)]))];
  }
  const events = patients.map((id, i) => withId(event, ids[i], withEntities([...entities, ...patientEntity(id)])));
  // Each with its patient last, unless that patient is the target itself (then it has none of its own).
  if (!targetPatient) {
    markSiblings(events, patients);
  }
  return events;
}

/**
 * One event with its id, placed right after resourceType as the store places it (store/versioning.ts,
 * withMeta): the audit writer then stores the text it is sent with only `meta` put in (audit-event-table.ts).
 */
function withId({ resourceType, ...rest }: AuditEvent, id: string, entities: Pick<AuditEvent, 'entity'>): AuditEvent {
  return { resourceType, id, ...rest, ...entities };
}

function withEntities(entities: AuditEventEntity[]): Pick<AuditEvent, 'entity'> {
  return entities.length ? { entity: entities } : {};
}

/** The target's entity: a Patient as BALP's patient, any other resource as a domain resource. */
function targetEntity(reference: string | undefined): AuditEventEntity | undefined {
  if (reference === undefined) {
    return undefined;
  }
  const what = { reference };
  return reference.startsWith('Patient/') ? { what, type: person, role: patientRole } : { what, type: systemObject, role: domainResource };
}
