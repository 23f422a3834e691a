// The Provenance written with every write (https://hl7.org/fhir/R4/provenance.html): the targets are the
// versions written (versioned references; one Provenance per activity of a transaction, Provenance.target
// being 1..*), `recorded` their lastUpdated, the activity the v3 DataOperation
// code, and the agents the caller: the person (author, for the first organization), the application
// (performer, by its client_id) and each organization acted for (author). See docs/audit.md.
import type { Provenance, ProvenanceAgent } from '@medplum/fhirtypes';
import type { Caller } from '../fhir/pipeline/caller';
import type { WriteAction } from '../fhir/pipeline/write-rules';

export const dataOperationSystem = 'http://terminology.hl7.org/CodeSystem/v3-DataOperation';
const participantTypeSystem = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
/** The identifier system of OAuth client ids in agents: this network's, not any one server's. */
export const clientIdSystem = 'https://fhir.dhc.example/sid/oauth-client';

const activities: Record<WriteAction, { code: string; display: string }> = {
  create: { code: 'CREATE', display: 'create' },
  update: { code: 'UPDATE', display: 'revise' },
  delete: { code: 'DELETE', display: 'delete' },
};

/** What a written version's Provenance records. */
export interface WrittenVersion {
  action: WriteAction;
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
}

export function versionedTarget(version: WrittenVersion): string {
  return `${version.resourceType}/${version.id}/_history/${version.versionId}`;
}

export function activityOf(action: WriteAction): Provenance['activity'] {
  return { coding: [{ system: dataOperationSystem, ...activities[action] }] };
}

/** The agents a caller is: person, application, organizations. */
export function callerAgents(caller: Caller): ProvenanceAgent[] {
  const type = (code: string, display: string): ProvenanceAgent['type'] => ({ coding: [{ system: participantTypeSystem, code, display }] });
  const agents: ProvenanceAgent[] = [];
  if (caller.user) {
    agents.push({
      type: type('author', 'Author'),
      who: { reference: caller.user },
      ...(caller.organizations.length ? { onBehalfOf: { reference: caller.organizations[0] } } : {}),
    });
  }
  if (caller.clientId) {
    agents.push({ type: type('performer', 'Performer'), who: { identifier: { system: clientIdSystem, value: caller.clientId }, display: caller.clientId } });
  }
  for (const organization of caller.organizations) {
    agents.push({ type: type('author', 'Author'), who: { reference: organization } });
  }
  if (!agents.length) {
    // Only while security is off: a caller with no identity at all.
    agents.push({ type: type('author', 'Author'), who: { display: `${caller.kind} caller` } });
  }
  return agents;
}

/**
 * The Provenance of the versions one transaction wrote with one activity (all of them `action`), by the
 * caller, or the client's own (X-Provenance) with targets and time filled in. `recorded` is the newest
 * version's lastUpdated: the moment the last of them was written.
 */
export function provenanceFor(versions: WrittenVersion[], caller: Caller, id: string, clientProvenance?: Provenance): Provenance {
  const target = versions.map((version) => ({ reference: versionedTarget(version) }));
  const recorded = versions.reduce((newest, version) => (version.lastUpdated > newest ? version.lastUpdated : newest), versions[0].lastUpdated);
  const action = versions[0].action;
  if (clientProvenance) {
    const { meta: _meta, ...own } = clientProvenance;
    return { ...own, id, target, recorded, activity: own.activity ?? activityOf(action) };
  }
  return { resourceType: 'Provenance', id, target, recorded, activity: activityOf(action), agent: callerAgents(caller) };
}
