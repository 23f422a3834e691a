// The parts every AuditEvent of this server shares, shaped after IHE Basic Audit Log Patterns (BALP,
// https://profiles.ihe.net/ITI/BALP/content.html): the agents (the user, the client application with
// the network address, this server), the source, and the outcome codes of
// https://hl7.org/fhir/R4/valueset-audit-event-outcome.html. Free text never holds identifier values or
// tokens: outcomeDesc is the HTTP status and issue code only.
import type { AuditEvent, AuditEventAgent, Coding } from '@medplum/fhirtypes';
import { randomFillSync } from 'node:crypto';
import type { Caller } from '../fhir/pipeline/caller';

const dicom = 'http://dicom.nema.org/resources/ontology/DCM';

/** BALP's agent types: the user (information recipient), the client (source) and the server (destination). */
export const userAgentType: Coding = { system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' };
export const clientAgentType: Coding = { system: dicom, code: '110153', display: 'Source Role ID' };
export const serverAgentType: Coding = { system: dicom, code: '110152', display: 'Destination Role ID' };

/** The system a client application's client_id is an identifier in. */
export function clientIdSystem(baseUrl: string): string {
  return `${baseUrl}/auth/clients`;
}

/** The server as AuditEvent.source.observer names it; `source:identifier=urn:ietf:rfc:3986|<base>` finds its events. */
export function serverIdentity(baseUrl: string): NonNullable<AuditEvent['source']> {
  return {
    site: baseUrl,
    observer: { identifier: { system: 'urn:ietf:rfc:3986', value: baseUrl }, display: 'FHIR server' },
    type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
  };
}

/** The caller as its AuditEvents name it: no roles, scopes or grants. */
export type AuditedCaller = Pick<Caller, 'user' | 'account' | 'clientId' | 'sourceAddress'>;

/**
 * The agents of an event the caller caused: the user (requestor) when a person is signed in, the client
 * application (requestor when it acts for itself) carrying the network address, and this server.
 */
export function callerAgents(caller: AuditedCaller, baseUrl: string): AuditEventAgent[] {
  const network = caller.sourceAddress ? { network: { address: caller.sourceAddress, type: '2' as const } } : {};
  const agents: AuditEventAgent[] = [];
  if (caller.user || caller.account) {
    agents.push({
      type: { coding: [userAgentType] },
      who: caller.user ? { reference: caller.user } : { display: 'unknown user' },
      ...(caller.account ? { altId: caller.account } : {}),
      requestor: true,
      ...(caller.clientId ? {} : network),
    });
  }
  if (caller.clientId) {
    agents.push({
      type: { coding: [clientAgentType] },
      who: { identifier: { system: clientIdSystem(baseUrl), value: caller.clientId }, display: caller.clientId },
      requestor: agents.length === 0,
      ...network,
    });
  }
  if (agents.length === 0) {
    // No credentials: the request is known only by where it came from.
    agents.push({ type: { coding: [clientAgentType] }, who: { display: 'anonymous' }, requestor: true, ...network });
  }
  agents.push({ type: { coding: [serverAgentType] }, who: { identifier: { system: 'urn:ietf:rfc:3986', value: baseUrl }, display: 'FHIR server' }, requestor: false });
  return agents;
}

/** The outcome of an HTTP status: 0 success, 4 minor failure (the client's), 8 serious (the server's), 12 major (a crash). */
export function outcomeOf(status: number): NonNullable<AuditEvent['outcome']> {
  if (status < 400) return '0';
  if (status < 500) return '4';
  return status === 500 ? '12' : '8';
}

/** outcomeDesc: the status and issue code, never the message (it may quote what was sent). */
export function outcomeDescription(status: number, code: string | undefined): string {
  return code ? `${status} ${code}` : String(status);
}

/** Random bits for event ids, filled 256 ids at a time (one call into the system's generator, not one per event). */
const idPool = Buffer.alloc(16 * 256);
let idPoolNext = idPool.length;

/**
 * A new event's id: a UUID version 7 (RFC 9562, https://www.rfc-editor.org/rfc/rfc9562#name-uuid-version-7),
 * whose leading 48 bits are the time in ms and the rest random, so that ids grow with time: each event's
 * entry goes at the end of the store's id index instead of on a random page of it (a random UUID dirtied
 * one index page per event, written again at each commit; docs/performance.md, "Auditing on and off").
 */
export function auditEventId(now: number = Date.now()): string {
  if (idPoolNext === idPool.length) {
    randomFillSync(idPool);
    idPoolNext = 0;
  }
  const bytes = Buffer.from(idPool.subarray(idPoolNext, idPoolNext + 16));
  idPoolNext += 16;
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
