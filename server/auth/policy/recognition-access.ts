// Who may ask whether a result is recognized, and for which organization (docs/recognition.md): the
// physicians who would otherwise repeat the test (clinicians, hospital doctors) for one of their own
// organizations, and auditors and administrators for any. Recording a reuse is the physicians' act
// (and the administrator's); an auditor only looks. Callers without credentials only exist while
// security is off, and then, as everywhere, nothing is checked.
import type { Caller } from '../../fhir/pipeline/caller';
import type { Decision } from './decide';

const askingRoles = new Set(['clinician', 'hospital-doctor', 'auditor', 'administrator']);
const recordingRoles = new Set(['clinician', 'hospital-doctor', 'administrator']);
const anyOrganization = new Set(['auditor', 'administrator']);

/** Whether the caller may run $recognize for `organization` ('Organization/x'), and with record=true when `record`. */
export function decideRecognition(caller: Caller, organization: string, record: boolean): Decision {
  if (caller.kind === 'server' || caller.kind === 'anonymous') {
    return { allowed: true };
  }
  if (!caller.roles.some((r) => askingRoles.has(r))) {
    return { allowed: false, reason: '$recognize is for clinicians, hospital doctors, auditors and administrators' };
  }
  if (record && !caller.roles.some((r) => recordingRoles.has(r))) {
    return { allowed: false, reason: 'record=true records a reuse: only a clinician, a hospital doctor or an administrator reuses a result' };
  }
  if (!caller.roles.some((r) => anyOrganization.has(r)) && !caller.organizations.includes(organization)) {
    return { allowed: false, reason: `You recognize results for your own organizations only, not for ${organization}` };
  }
  return { allowed: true };
}
