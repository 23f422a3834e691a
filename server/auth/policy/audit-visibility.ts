// Who reads AuditEvents: the auditor and the administrator all of them, across the network; a patient
// the events about their own record (BALP's patient entity, the R4 `patient` search parameter of
// AuditEvent); nobody else, a clinic's clinician included (403 for a read or search of the type).
import type { Caller } from '../../fhir/pipeline/caller';
import { compartmentFilter } from '../../search/compartments';
import type { Filter } from '../../search/plan';
import type { ScopeLevel } from '../scopes';

const nothing: Filter = { kind: 'id', ids: [] };

/** Whether the caller may read or search AuditEvents at all. */
export function mayReadAuditEvents(caller: Caller): boolean {
  return caller.roles.includes('auditor') || caller.roles.includes('administrator') || ownPatient(caller) !== undefined;
}

/** The filters an AuditEvent must match to be visible to the caller at the scopes' level ([] for all). */
export function auditEventFilters(caller: Caller, level: ScopeLevel): Filter[] {
  if (level !== 'patient' && (caller.roles.includes('auditor') || caller.roles.includes('administrator'))) {
    return [];
  }
  const patient = ownPatient(caller);
  return patient ? [compartmentFilter('Patient', patient, 'AuditEvent')] : [nothing];
}

/**
 * The patient whose events the caller sees: the patient signed in (never a clinician's launch patient:
 * a clinician's app with patient-level scopes reads no AuditEvents).
 */
function ownPatient(caller: Caller): string | undefined {
  const patient = caller.user?.startsWith('Patient/') ? caller.user : caller.roles.includes('patient') ? caller.patient : undefined;
  return patient?.startsWith('Patient/') ? patient.slice('Patient/'.length) : undefined;
}
