// Two things a signed-in clinician asks of the authorization server with their own access token:
// an EHR launch (an opaque `launch` value binding a patient, and optionally an encounter, that an app
// then receives as context; https://hl7.org/fhir/smart-app-launch/app-launch.html#launch-app-ehr-launch),
// and break-the-glass (a short-lived token opening one patient's record outside their grant, with a
// stated reason, written to the log and as an AuditEvent).
import type { AuditEvent } from '@medplum/fhirtypes';
import { randomBytes, randomUUID } from 'node:crypto';
import type { Caller } from '../fhir/pipeline/caller';
import { badRequest, forbidden } from '../outcomes';
import type { StoreOperations } from '../store/port';
import type { AuthContext } from './auth-context';
import { isVisible } from './policy/visibility';

const launchSeconds = 300;
export const breakGlassSeconds = 900;
const clinicalRoles = new Set(['clinician', 'hospital-doctor', 'nurse']);

function patientId(value: unknown): string {
  const id = typeof value === 'string' ? value.replace(/^Patient\//, '') : '';
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(id)) {
    throw badRequest('patient must be a Patient id', 'patient');
  }
  return id;
}

export async function createLaunch(context: AuthContext, caller: Caller, body: Record<string, unknown>): Promise<{ launch: string }> {
  if (caller.kind !== 'user' || !caller.account || caller.user?.startsWith('Patient/')) {
    throw forbidden('An EHR launch is made by a signed-in practitioner');
  }
  const patient = patientId(body.patient);
  if (!(await isVisible(context.resources, { ...caller, scopes: ['user/Patient.rs'] }, 'Patient', patient))) {
    throw forbidden('The patient is not one you may see');
  }
  const encounter = body.encounter === undefined ? undefined : String(body.encounter).replace(/^Encounter\//, '');
  const launch = randomBytes(24).toString('base64url');
  await context.store.saveLaunch({ launchId: launch, account: caller.account, patient, ...(encounter ? { encounter } : {}), expiresAt: Date.now() + launchSeconds * 1000 });
  return { launch };
}

export async function breakGlass(
  context: AuthContext,
  resources: StoreOperations,
  caller: Caller,
  body: Record<string, unknown>
): Promise<{ access_token: string; token_type: string; expires_in: number; scope: string; patient: string }> {
  if (caller.kind !== 'user' || !caller.account || !caller.roles.some((r) => clinicalRoles.has(r))) {
    throw forbidden('Break-the-glass is for clinicians, doctors and nurses');
  }
  const patient = patientId(body.patient);
  const reason = typeof body.reason === 'string' ? body.reason.trim() : '';
  if (reason.length < 10) {
    throw badRequest('State the reason for opening the record (at least 10 characters)', 'reason');
  }
  const { token, expiresIn } = context.tokens.issue(
    {
      kind: 'user',
      clientId: caller.clientId ?? 'break-glass',
      account: caller.account,
      ...(caller.user ? { fhirUser: caller.user } : {}),
      roles: [...caller.roles],
      organizations: [...caller.organizations],
      scopes: [...caller.scopes],
      breakGlass: { patient: `Patient/${patient}`, reason },
    },
    breakGlassSeconds
  );
  context.logger.warn({ account: caller.account, user: caller.user, patient: `Patient/${patient}`, reason }, 'break-the-glass granted');
  await resources.create(breakGlassAudit(caller, patient, reason));
  return { access_token: token, token_type: 'Bearer', expires_in: expiresIn, scope: caller.scopes.join(' '), patient };
}

/** The AuditEvent of a break-the-glass grant (the "emergency" purpose of use, v3-ActReason BTG). */
function breakGlassAudit(caller: Caller, patient: string, reason: string): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id: randomUUID(),
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: new Date().toISOString(),
    outcome: '0',
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' }], text: reason }],
    agent: [
      {
        who: caller.user ? { reference: caller.user } : { display: caller.account },
        altId: caller.account,
        requestor: true,
        ...(caller.sourceAddress ? { network: { address: caller.sourceAddress, type: '2' as const } } : {}),
      },
    ],
    source: { observer: { display: 'DHC FHIR server authorization' } },
    entity: [{ what: { reference: `Patient/${patient}` } }],
  };
}
