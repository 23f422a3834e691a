// Typed builders for the resources the tests write.
import type { AuditEvent, Observation, Patient } from '@medplum/fhirtypes';
import { uniqueResidentId } from '../../seed/identifiers';
import type { Caller } from '../../server/fhir/pipeline/caller';

let residents = 0;

/**
 * A resident ID number no other fixture of this process has (born 1980-01-01, region 99xxxx, which no
 * real province uses), with a valid check character: the server refuses a second Patient with one.
 */
export function freshResidentId(): string {
  return uniqueResidentId(residents++, '1980-01-01', true);
}

export function patient(overrides: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'urn:oid:2.16.156.10011.1.3', value: freshResidentId() }],
    name: [{ text: '王小明', family: '王', given: ['小明'] }],
    gender: 'male',
    birthDate: '1980-01-01',
    ...overrides,
  };
}

export function observation(subjectId: string, overrides: Partial<Observation> = {}): Observation {
  return {
    resourceType: 'Observation',
    status: 'final',
    code: { coding: [{ system: 'http://loinc.org', code: '8480-6', display: 'Systolic blood pressure' }] },
    subject: { reference: `Patient/${subjectId}` },
    effectiveDateTime: '2026-03-05T09:30:00+08:00',
    valueQuantity: { value: 132, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' },
    ...overrides,
  };
}

/** A REST AuditEvent by `who` (the tamper-evidence tests write them through the store, as the audit trail does). */
export function auditEvent(id: string, who = 'Practitioner/admin'): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    id,
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: '2026-12-06T08:00:00Z',
    agent: [{ requestor: true, who: { reference: who } }],
    source: { observer: { display: 'test' } },
  };
}

/** A clinic's clinician signed in through an HIS vendor's EMR: the caller of the audit tests' events. */
export const clinicianCaller: Caller = {
  kind: 'user',
  user: 'PractitionerRole/dr-1',
  account: 'dr-1',
  clientId: 'his-vendor-a-emr',
  organizations: ['Organization/clinic-12'],
  roles: ['clinician'],
  scopes: ['user/*.cruds'],
  sourceAddress: '10.20.30.40',
};
