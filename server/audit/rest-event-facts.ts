// What one FHIR interaction's AuditEvents are built from, gathered on the server's thread as plain data:
// the interaction, how it ended, the caller's names, the resource touched, the query, the Bundle entry,
// the patients concerned, the events' ids and the moment. A few hundred bytes of JSON, against the events
// themselves (2.6 KB of text each, built, stringified and indexed there before): the server's thread
// hands these over and the audit writer thread builds the events (events-rest.ts, restEventsOf), so
// that the thread every read by id runs on does only this (docs/performance.md, "The events built by
// the writer").
import type { Resource } from '@medplum/fhirtypes';
import { referencedPatients } from '../auth/enforcement';
import type { Caller } from '../fhir/pipeline/caller';
import type { EntryPosition, HookCall, HookResult } from '../fhir/pipeline/hooks';
import type { InteractionCode } from '../fhir/pipeline/interaction';
import { auditEventId, type AuditedCaller } from './events-shared';

export interface RestEventFacts {
  /** The server's base URL, which the events name as their source and destination agent. */
  base: string;
  /** One id per event, in order: one event, or one per patient (restEventsOf). Fixed here, so that a batch written again keeps them. */
  ids: string[];
  /** When the interaction ended, ms since the epoch. */
  recorded: number;
  code: InteractionCode;
  operation?: string;
  /** The HTTP status the interaction ended with. */
  status: number;
  /** The first issue's code of a failure, for outcomeDesc. */
  issue?: string;
  caller: AuditedCaller;
  /** The one resource an instance interaction touched, as a reference (`Type/id[/_history/v]`). */
  target?: string;
  /** A search's or a conditional interaction's request, `path?query`, as received. */
  query?: string;
  entry?: EntryPosition;
  /** The patients concerned, by id, in the order found. */
  patients: string[];
}

/** Interactions whose request is a query (BALP's query entity; no target). */
const queryInteractions: ReadonlySet<InteractionCode> = new Set(['search-type', 'search-system', 'search-compartment', 'history-type', 'history-system']);

/** The facts of one interaction; `recorded` is when it ended. */
export function restEventFacts(call: HookCall, result: HookResult, baseUrl: string, recorded: number = Date.now()): RestEventFacts {
  const { interaction, caller, request, entry } = call;
  const patients = patientsOf(call, result.resources);
  const count = Math.max(1, patients.length);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    ids.push(auditEventId());
  }
  const facts: RestEventFacts = {
    base: baseUrl,
    ids,
    recorded,
    code: interaction.code,
    status: result.response?.status ?? result.error?.status ?? 500,
    caller: auditedCaller(caller),
    patients,
  };
  if (interaction.operation !== undefined) facts.operation = interaction.operation;
  const issue = result.error?.outcome.issue[0]?.code;
  if (issue !== undefined) facts.issue = issue;
  const target = targetOf(call, result);
  if (target !== undefined) facts.target = target;
  if (queryInteractions.has(interaction.code) || interaction.conditional) {
    facts.query = `${request.path}${request.query.size ? `?${request.query.toString()}` : ''}`;
  }
  if (entry) facts.entry = { bundleType: entry.bundleType, index: entry.index };
  return facts;
}

function auditedCaller(caller: Caller): AuditedCaller {
  const named: AuditedCaller = {};
  if (caller.user !== undefined) named.user = caller.user;
  if (caller.account !== undefined) named.account = caller.account;
  if (caller.clientId !== undefined) named.clientId = caller.clientId;
  if (caller.sourceAddress !== undefined) named.sourceAddress = caller.sourceAddress;
  return named;
}

/** The one resource an instance interaction touched: the returned resource, or the one the path names. */
function targetOf({ interaction }: HookCall, result: HookResult): string | undefined {
  const body = result.response?.body;
  const returned = body && body.resourceType !== 'Bundle' && body.resourceType !== 'OperationOutcome' && body.resourceType !== 'Parameters' ? body : undefined;
  const type = returned?.resourceType ?? interaction.resourceType;
  const id = returned?.id ?? interaction.id;
  if (!type || !id || queryInteractions.has(interaction.code)) {
    return undefined;
  }
  // The version read, where the response carries it (a read, a vread): asking the resource's meta would
  // parse a resource read lazily (lazy-resource.ts) that the response sends as its stored text.
  const read = result.response?.version;
  const version = (returned && read?.resource === returned ? read.versionId : returned?.meta?.versionId) ?? interaction.versionId;
  return `${type}/${id}${version ? `/_history/${version}` : ''}`;
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
